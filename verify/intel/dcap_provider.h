#ifndef TP_DCAP_PROVIDER_H
#define TP_DCAP_PROVIDER_H

struct verify_request;
struct verdict;

/*
 * Verifies the Intel DCAP quote of REQ (SGX or TDX, as v->provider says)
 * into V: parsing, quote and QE report signatures, PCK chain and CRLs,
 * collateral, TCB evaluation, claims and the dcap policy. The ops
 * provider_intel_sgx / provider_intel_tdx call it.
 */
void dcap_verify_quote(const struct verify_request *req, struct verdict *v);

#endif
