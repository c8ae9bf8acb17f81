// The consent ledger lives in ledger/ (its rule in ledger/consent.ts, its store in ledger/store.ts). This module
// only re-exports it for callers outside the subgraphs that still import it from here; new code imports ledger/.
export { hasConsentSql } from '../../ledger/consent.ts';
export { CURRENT_POLICY_VERSION, applyConsentChange, recordConsent, readSubjectConsentRecords, type ConsentChange, type ConsentSource } from '../../ledger/store.ts';
