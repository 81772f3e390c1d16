/**
 * Kubernetes naming rules: DNS-1123 labels and subdomains for object names,
 * qualified names for label and annotation keys, label values.
 */
import { z } from 'zod';
import { safeRecord } from './safeRecord.ts';

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${LABEL}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

/** A label / annotation key: `[prefix/]name`, prefix a DNS subdomain, name at most 63 characters. */
export function isQualifiedName(s: string): boolean {
  const slash = s.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : s.slice(0, slash);
  const name = slash < 0 ? s : s.slice(slash + 1);
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return false;
  return name.length <= 63 && QUALIFIED_NAME.test(name);
}

export function isLabelValue(s: string): boolean {
  return s === '' || (s.length <= 63 && QUALIFIED_NAME.test(s));
}

const LABEL_RULE = "must be a lowercase RFC 1123 label: at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";
const SUBDOMAIN_RULE =
  "must be a lowercase RFC 1123 subdomain: at most 253 characters of a-z, 0-9, '-' and '.', each part starting and ending with a letter or digit";

export const dns1123Label = z.string().refine(isDns1123Label, { message: LABEL_RULE });
export const dns1123Subdomain = z.string().refine(isDns1123Subdomain, { message: SUBDOMAIN_RULE });

/** A container port name (IANA service name): at most 15 characters, lowercase, with at least one letter. */
export const portName = z
  .string()
  .refine((s) => s.length <= 15 && IANA_SVC_NAME.test(s) && /[a-z]/.test(s) && !s.includes('--'), {
    message: "must be an IANA service name: at most 15 characters of a-z, 0-9 and '-', with at least one letter",
  });

export const labelMap = safeRecord(
  z.string().refine(isQualifiedName, { message: 'label key must be [prefix/]name with name at most 63 characters of A-Z, a-z, 0-9, -, _ and ., starting and ending with a letter or digit' }),
  z.string().refine(isLabelValue, { message: 'label value must be at most 63 characters of A-Z, a-z, 0-9, -, _ and ., starting and ending with a letter or digit' }),
);

export const annotationMap = safeRecord(
  z.string().refine(isQualifiedName, { message: 'annotation key must be [prefix/]name with name at most 63 characters of A-Z, a-z, 0-9, -, _ and ., starting and ending with a letter or digit' }),
  z.string(),
);
