#include <string.h>

#include "common/codec.h"
#include "handlers/devices.h"

bool
request_devices_parse(struct request *r, const json_t *arr,
                      bool have_runtime_data,
                      struct verify_device devs[COMPOSITE_MAX_DEVICES],
                      uint8_t *evidence[COMPOSITE_MAX_DEVICES],
                      const json_t *collateral[COMPOSITE_MAX_DEVICES],
                      size_t *n)
{
	static const char *const members[] = {"provider", "attestation",
	                                      "collateral"};
	const char *key, *prov, *att;
	json_t *dev, *val;
	size_t i;

	*n = 0;
	if (!json_is_array(arr) ||
	    json_array_size(arr) > COMPOSITE_MAX_DEVICES) {
		reply_error(r, TP_ERR_invalid_field, "devices");
		return false;
	}
	if (json_array_size(arr) > 0 && !have_runtime_data) {
		reply_error(r, TP_ERR_missing_field, "runtime_data");
		return false;
	}
	json_array_foreach(arr, i, dev)
	{
		struct verify_device *d = &devs[i];

		if (!json_is_object(dev)) {
			reply_error(r, TP_ERR_invalid_field, "devices");
			return false;
		}
		json_object_foreach(dev, key, val)
		{
			size_t k = 0;
			while (k < 3 && strcmp(key, members[k]) != 0)
				k++;
			if (k == 3) {
				reply_error(r, TP_ERR_unknown_field,
				            "devices[]");
				return false;
			}
		}
		prov = json_string_value(json_object_get(dev, "provider"));
		att = json_string_value(json_object_get(dev, "attestation"));
		if (prov == NULL || att == NULL) {
			reply_error(r, TP_ERR_missing_field,
			            prov == NULL ? "devices[].provider"
			                         : "devices[].attestation");
			return false;
		}
		if (!provider_parse(prov, &d->provider)) {
			reply_error(r, TP_ERR_unknown_provider,
			            "devices[].provider");
			return false;
		}
		if (!codec_evidence_decode(att, strlen(att), &evidence[i],
		                           &d->evidence_len)) {
			reply_error(r, TP_ERR_bad_encoding,
			            "devices[].attestation");
			return false;
		}
		*n = i + 1;
		d->evidence = evidence[i];
		collateral[i] = json_object_get(dev, "collateral");
		if (json_is_null(collateral[i]))
			collateral[i] = NULL;
	}
	return true;
}
