/*
 * Fuzz target: NVIDIA RIMs (verify/nvidia/rim_swid.h) and the XML reader
 * under them (rim_xml.h): the strict XML parser with Canonical XML 1.1
 * of the document, the RIM parser and its XML-DSig check.
 */
#include "tests/fuzz/fuzz.h"
#include "verify/nvidia/rim_swid.h"
#include "verify/nvidia/rim_xml.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_doc *d;
	struct rim *rim;
	uint8_t *c14n = NULL;
	size_t c14n_len, i;
	char why[200];

	if ((d = xml_parse((const char *)data, size, why, sizeof(why))) !=
	    NULL) {
		for (i = 0; i < d->n; i++)
			if (d->t[i].type == XML_START) {
				(void)xml_ns_of(d, i, d->t[i].qname);
				(void)xml_attr_get(&d->t[i], "type");
			}
		if (d->n > 0 && xml_c14n11(d, 0, SIZE_MAX, &c14n, &c14n_len))
			free(c14n);
		xml_doc_free(d);
	}
	if ((rim = rim_parse((const char *)data, size, why, sizeof(why))) !=
	    NULL) {
		(void)rim_signature_verify(rim, why, sizeof(why));
		rim_free(rim);
	}
	return 0;
}
