import type { Purpose } from './purposes.ts';
import type { Role } from './roles.ts';

/** Who is calling, as proven by a verified token. */
export interface Caller {
  sub: string;
  role: Role;
  /** Employer id; set exactly when `role` is `employer`. */
  org: string | null;
  /** Every purpose the token allows this caller to act under. */
  purposes: readonly Purpose[];
}

/** A caller bound to the one purpose (and legal basis, if any) declared for this request. */
export interface BoundCaller extends Caller {
  purpose: Purpose;
  /** Reference of the legal basis (court order number, …) for legal-basis purposes; null otherwise. */
  legalBasis: string | null;
}
