-- 0013: the split attested-TLS layout (issue 18, docs/registry.md
-- "Attested TLS"): 'report_data_split' = REPORT_DATA[0:32] is the TLS
-- key's SPKI SHA-256 and REPORT_DATA[32:64] the runtime data's SHA-256,
-- so an endpoint binding its key in report data can also bind its model
-- digest. Never edit after landing.
ALTER TABLE endpoints
	DROP CONSTRAINT endpoints_tls_binding_check,
	ADD CONSTRAINT endpoints_tls_binding_check
		CHECK (tls_binding IN ('runtime_data', 'report_data',
		                       'report_data_split'));
ALTER TABLE endpoint_tls_keys
	DROP CONSTRAINT endpoint_tls_keys_tls_binding_check,
	ADD CONSTRAINT endpoint_tls_keys_tls_binding_check
		CHECK (tls_binding IN ('runtime_data', 'report_data',
		                       'report_data_split'));
