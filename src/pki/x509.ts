/**
 * The one entry to @peculiar/x509: it needs Reflect metadata before it loads,
 * so every module of the PKI imports the library through here.
 */
import './reflectMetadata.ts';
import * as x509 from '@peculiar/x509';

export { x509 };
