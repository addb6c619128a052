#!/usr/bin/env python3
# Writes pccsadmin_platform_collaterals.json: the real TDX collateral of
# tests/data/tdx/dcapqvl_v4_uptodate/collateral.json rearranged into the
# shape `pccsadmin fetch` (Intel SGXDataCenterAttestationPrimitives,
# tools/PccsAdminTool) writes for the PCS v4 API. See PROVENANCE.md.
import json
import sys
from urllib.parse import quote

src = 'tests/data/tdx/dcapqvl_v4_uptodate/collateral.json'
c = json.load(open(src))
tcb = json.loads(c['tcb_info'])
crl = bytes.fromhex(c['pck_crl'])
ca = 'processor' if b'Intel SGX PCK Processor CA' in crl else 'platform'
out = {
    'platforms': [],
    'collaterals': {
        'version': 4,
        'pck_certs': [],
        'tcbinfos': [{
            'fmspc': tcb['fmspc'],
            # pccsadmin stores the PCS body parsed (json.loads), and
            # json.dump writes it back with its default separators.
            'tdx_tcbinfo': {'tcbInfo': tcb, 'signature': c['tcb_info_signature']},
        }],
        'pckcacrl': {ca + 'Crl': c['pck_crl']},
        'qeidentity': '',
        # The PCS body text as received.
        'tdqeidentity': '{"enclaveIdentity":%s,"signature":"%s"}'
                        % (c['qe_identity'], c['qe_identity_signature']),
        'qveidentity': '',
        # Issuer chains as the PCS response headers carry them (URL-encoded).
        'certificates': {
            'SGX-PCK-Certificate-Issuer-Chain': {ca: quote(c['pck_crl_issuer_chain'], safe='')},
            'TCB-Info-Issuer-Chain': quote(c['tcb_info_issuer_chain'], safe=''),
            'SGX-Enclave-Identity-Issuer-Chain': quote(c['qe_identity_issuer_chain'], safe=''),
        },
        'rootcacrl': c['root_ca_crl'],
    },
}
json.dump(out, open(sys.argv[1] if len(sys.argv) > 1 else
                    'tests/data/collateral/pccsadmin_platform_collaterals.json', 'w'))
