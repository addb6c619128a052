/*
 * Fuzz target: NVIDIA SPDM measurements (verify/nvidia/spdm.h): the
 * parser and the opaque-data TLV readers, then the whole verification
 * as NvidiaGpu (raw SPDM, or the SDK's JSON evidence) with no
 * collateral.
 */
#include "tests/fuzz/fuzz.h"
#include "verify/nvidia/spdm.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spdm_measurements m;
	bool unsupported;
	char why[200], text[256], vbios[16];
	size_t i;

	(void)spdm_detect(data, size);
	if (spdm_parse(data, size, &m, &unsupported, why, sizeof(why))) {
		(void)spdm_vbios_version(&m.tlv[NV_OPAQUE_VBIOS_VERSION],
		                         vbios);
		for (i = 0; i < NV_OPAQUE__MAX; i++)
			if (m.tlv[i].present)
				(void)spdm_tlv_string(&m.tlv[i], text,
				                      sizeof(text));
	}
	fuzz_verify(TP_PROVIDER_NVIDIA_GPU, data, size);
	return 0;
}
