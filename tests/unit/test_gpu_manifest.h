/* Expected values transcribed from /work/shared/vectors/nvidia/MANIFEST.md
 * ("What a correct verifier should conclude"), by section. */
#ifndef TEST_GPU_MANIFEST_H
#define TEST_GPU_MANIFEST_H

struct manifest_meas {
	int index;
	const char *sha384;
};

struct manifest_gpu {
	const char *dir;
	const char *req_nonce, *rsp_nonce;
	int opaque_len;
	const char *driver, *vbios, *project, *project_sku, *chip_sku, *fwid;
	int n_nonzero;
	const struct manifest_meas nonzero[32];
};

static const struct manifest_gpu manifest_gpus[] = {
        {"nvtrust_sample_h100",
         "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb",
         "b4b8a06aaaa35542839388e159d447a5d6f6194998fd86513e2d591ccf640985",
         422,
         "550.90.07",
         "96.00.9F.00.01",
         "1010",
         "0200",
         "882",
         "f5c384aebb579217a2c66b17ed0f28e6a9b8d639041acd7b4721cec004f7275494ba9"
         "4bb5cdfdb3055ee051762b1f75d",
         26,
         {
                 {2, "8048dfd18fe229bf16eb9d30cca0f11a24dafe6eb731de1462984645a"
                     "0b189b77c4e4e17de727a5e19e3d07de51da338"},
                 {3, "164f445c3e282ca8e4ab07c2179b8e02c8e3a2ceb83f9fae8dddaee70"
                     "aa57207d87792d1481b46c02f9dba6e1fe1e77e"},
                 {4, "73bbf35822549e28ba8fb2671fb7b58f46424a0069205b3ecf1d0fa76"
                     "2adef90b538cc9d692eb5c050147f2f1e8214ab"},
                 {5, "568b89291a34cece03b12aaa352d9afe273610307525b8443e90faa78"
                     "d82ecfa9c7827d8f7915c35b2fab972e1086686"},
                 {6, "c9e4fe668e9dc269a4657146b5e28a22347cde18a4b0e79d8146532f2"
                     "7ebc386f304400ea5d4bf4159b5a6916dd4564e"},
                 {7, "6850b0a82e7e77c0f51e0e6732163866003390c4eb286d8dfb26a72f7"
                     "11a9c8bcdf402a1fd4e5d70b97708107a785efc"},
                 {8, "80161aac5e7509f038a6457b111e048207d1dc0e78edbb8c172fca413"
                     "9c1d5f29cda67ecdd261fdc9203b76387f7389f"},
                 {10, "059b32e712a153f490dbfb7976a9e275d789e28bd4803c357def2b61"
                      "23327c430526bfaecc200f496d4e149fc5eade03"},
                 {12, "413d008cedd5526a79455a178154328ce960af252bdb06e7fe408004"
                      "9add412488cac39ecf3d80efbdc6bdd363861773"},
                 {22, "68454d4bb5545a74e478e288469a6548bb4d4aa8556a512f9ddd41b0"
                      "337a602b3f050a469578139c6cea0e0f7c9861c8"},
                 {23, "cf98e425ebfb0c20532162d772d5b355bbabc68b0876a3c91a676769"
                      "a3d6e8460e01be987669f8196ec63b7b6a8d8581"},
                 {26, "b718948c035092ebd0c7d6f069141e6bd0cd40d8ddd436aa0d1a705a"
                      "fedfe67c12891d239e6ddf30ea09775d1056ac1a"},
                 {27, "6dbc7f8e23ac6f69c4bf3cb4c61566d7957fce2f0f16a499ac1f724b"
                      "acb0935eefa5be16f548ba5141449f43555f240c"},
                 {28, "2191a06d9fad030cb8a707391f2e51838d8ca1e17109325b155f774d"
                      "dcb2bf704ca023ba711a282c93a1afcd590ce20b"},
                 {30, "1d040fdc3c8de3d8afbcebb79bf3a9ec09a277651b7ace16627f6201"
                      "c90414d9917b57a7bd67482b1929c9ec0bd1a15d"},
                 {31, "1bd45c8a34c33ac6a316050cb0752aa648ac4c6cd26af165cec41655"
                      "7468d21f7a61b6c5c7c4ea6d131be92706593939"},
                 {32, "a0d52c35704f13bf52745f27f16285292a7d8e9b8011320c18a58eff"
                      "d1a7934abb414ef99809ec9852568552904d361e"},
                 {33, "9f976e82fa30fcc6f82bce2c942ad4707c3df6b76e6295ce4c95cf9b"
                      "b62a08392571e9fb787f19b31bf0f3f04ba887a6"},
                 {34, "198b81d9c0cefe0b33ad65de3fad238a5461d8ee32487bf70fc19260"
                      "41408cb114624b8ca6b0d5fc97028b58d9cdb78d"},
                 {35, "07bbc504d3327cb76d4c4f3b3f1daf8779e40cc31d60826cb11dcc5d"
                      "09dc59a83bf693f0fb9b1f0b5e58ed4cdc3a580f"},
                 {36, "c0962ed90316ecea959dd0b6632d0c4f4d3bfbf72c4cd9031efe4815"
                      "4ed9ca59b41cd20ce06a7f9ca5cd8b0687cf1258"},
                 {37, "10570f642e274cfc2b9f1c955fab0aa56b6193d5c5ea271a74eb9764"
                      "334865695921456dc1ca383d7edf9e67760937ca"},
                 {38, "fccd6efa76267f5b43fc4a7647ce843a3912f0944a9bcc907456408c"
                      "368ad5e85bec4512d9d9aedebab31c3b80950627"},
                 {39, "c7ea135dca389918789454861bb593095dc44f8ad39035665daa81fa"
                      "02cf6fbd3a18227b6224dced70288b9fd3161cc0"},
                 {40, "5d7a8a08deeeeef3df07828dafeb112bd2372504d324eff2f4eb4389"
                      "3315fe331428c9afbc52fcc06159d406f0ca90af"},
                 {41, "9d2c6389c070dde430ffd510cad0c546fb9a73b9ee7a478fa804d2ab"
                      "14c674487abdc7aa12d90215ced4f3678f2765fa"},
         }},
        {"teep_tinfoil_h100_nras_20260629",
         "080c405ce6789e1761445180029523df3ae49576043f7f0868413a38e5e9a84e",
         "ce1c02c06d933224983200f8c3e63e045bf3f701c37470754533576fef53c0fa",
         434,
         "595.71.05",
         "96.00.D9.00.02",
         "G520",
         "0280",
         "895",
         "209ce00c4ecf887aece9af9e2b0cc975a204f6bf4bf9125c976098d85a4ecc03c65ea"
         "34294a723dc1b069efdfb9836e4",
         28,
         {
                 {2, "d15bd8ca73a698f1c567bc226211ec74b483fed830046d078e1c20169"
                     "246e2df235059f0cfe5846ae6789475c1106282"},
                 {3, "5cf1aa1ca65fa4845728c8ea76893ba2a565cd709c86c3e0db442e298"
                     "d51b7876b33f10168e46dfea6f3928ca4f41023"},
                 {4, "73bbf35822549e28ba8fb2671fb7b58f46424a0069205b3ecf1d0fa76"
                     "2adef90b538cc9d692eb5c050147f2f1e8214ab"},
                 {5, "568b89291a34cece03b12aaa352d9afe273610307525b8443e90faa78"
                     "d82ecfa9c7827d8f7915c35b2fab972e1086686"},
                 {6, "c9e4fe668e9dc269a4657146b5e28a22347cde18a4b0e79d8146532f2"
                     "7ebc386f304400ea5d4bf4159b5a6916dd4564e"},
                 {7, "6850b0a82e7e77c0f51e0e6732163866003390c4eb286d8dfb26a72f7"
                     "11a9c8bcdf402a1fd4e5d70b97708107a785efc"},
                 {8, "0bb141b2412207170a219d0abfb3fbc84594c506328599f5ec9f6ee12"
                     "8cdc8b36cb6b1c3f589fdad71b8b4db243b26a1"},
                 {10, "c80a9b62ce0d41184bb1ad0f6334d9400a2d2514ef92003b1c043410"
                      "f91b7309144325a3e01c58b8bd6e198f5dda3b9b"},
                 {12, "ecd4d5ae42b1541c20145582b8041db943688bf2c00ce0d19cd07fe9"
                      "bb7ab97bab198e87044b2b70a9cbb6b67456ef8b"},
                 {13, "e9bec0ccddde61f522f51f046d85302f4df5ec488e1df29099192b1d"
                      "73612f6f0f6a6e07b8993688fc131826d3a6d3d7"},
                 {22, "e1ad568b34d76173eb2430f77fdd1558b1ff127d1ff7023fdb14b4e4"
                      "795c9fec416140bd2a65babcbc82ad483adf0b80"},
                 {23, "c2b8b35344a35aff078f352f0ac9827b518bdb07ead0130faa7eaa3d"
                      "7c2b0d3b56829dfa8b6f71b7b11f10bf214fac26"},
                 {26, "5a2ba15ef6d50f607a52060aa8f12ad9aef8cbf63b11b278e439c41e"
                      "a80c3bb5a84e1cf91a6bc3f0d9c0d37a9ef0d9de"},
                 {27, "60a4372ef9b126917c5698e33cd5df4f6a5e1668dd7520c70367f0ba"
                      "b26fced2001a4abe52bf5fbf05f02ec360dafcce"},
                 {28, "e71ac46068a291dcb913d8f61d415fb59a8e34cab252488a8f0a7cca"
                      "40630c16801b8f78880925cf3e86e27f38ecfc07"},
                 {30, "b268070c2086375840568bbbe528f2ff8e8a65d7e261a0cf67736cba"
                      "ebef7384a68df787a103f986b882bf308249de05"},
                 {31, "a067105abf97dbb51932544b339f57a49ad8d8bd64c25626b4287b98"
                      "0e539b52fa164a41cf99556fbe9ee0ceec1cfaa1"},
                 {32, "849384739559c98e98d9326e6b5021b8b58ea51353fd0a3f7ba004f4"
                      "70570a3e469bbe3de6863373da6e3e299c6bf2d7"},
                 {33, "9f976e82fa30fcc6f82bce2c942ad4707c3df6b76e6295ce4c95cf9b"
                      "b62a08392571e9fb787f19b31bf0f3f04ba887a6"},
                 {34, "198b81d9c0cefe0b33ad65de3fad238a5461d8ee32487bf70fc19260"
                      "41408cb114624b8ca6b0d5fc97028b58d9cdb78d"},
                 {35, "07bbc504d3327cb76d4c4f3b3f1daf8779e40cc31d60826cb11dcc5d"
                      "09dc59a83bf693f0fb9b1f0b5e58ed4cdc3a580f"},
                 {36, "261148337ccf08ed5351584a95557b245326cbc5ef511ca5b22bc162"
                      "b9932529fc118f0fe6939dd214545c9388158781"},
                 {37, "10570f642e274cfc2b9f1c955fab0aa56b6193d5c5ea271a74eb9764"
                      "334865695921456dc1ca383d7edf9e67760937ca"},
                 {38, "fccd6efa76267f5b43fc4a7647ce843a3912f0944a9bcc907456408c"
                      "368ad5e85bec4512d9d9aedebab31c3b80950627"},
                 {39, "c7ea135dca389918789454861bb593095dc44f8ad39035665daa81fa"
                      "02cf6fbd3a18227b6224dced70288b9fd3161cc0"},
                 {40, "a4b64cc1fbdefa07e0d1a81c912de265412cd49a604233d4ca941427"
                      "480060118b475764f31637c8f9a84ab6f36c1a6b"},
                 {41, "122d9f6ea870a66e3ab96c3e2bab90a9f44b6931486cb3a24105e054"
                      "aef98d8fc2fce52edfb0c325e1ea7636b7ffe5c9"},
                 {42, "c0fc3709bc8ab387f3f0741dd85bae4bc27236c6f73a564a75925231"
                      "4b9061455c6cd5c5a51d31ea7bab622955040035"},
         }},
        {"trustee_coco_h100_trailing_byte",
         "87d8e24ab336adafe228d49e83d745f6dba4ae505372b6a5704820856b343fec",
         "5887c461f8a80001b835a867a28dda5c264b2228169b4e7be77997208ab8e783",
         434,
         "580.95.05",
         "96.00.74.00.1A",
         "1010",
         "0200",
         "882",
         "f1ae7d0093a3f5689cced58045c9744f94eb2aa4ddca88135197fb41a7be45576c288"
         "1cf920e2cbcc090b1cb921f7b2d",
         27,
         {
                 {2, "b558fdac9af53b91ff3bdb06ff589859d6fbc1050d875c88329347f24"
                     "ff7b3d11ac53688ba56db03cf8751913107e0db"},
                 {3, "92b271965eb7789567d26de1f249ea0967ed89bf42ef36837483fd90e"
                     "db839f5f7e4f1eb48881c3b7f6b54b7c0392c5b"},
                 {4, "73bbf35822549e28ba8fb2671fb7b58f46424a0069205b3ecf1d0fa76"
                     "2adef90b538cc9d692eb5c050147f2f1e8214ab"},
                 {5, "568b89291a34cece03b12aaa352d9afe273610307525b8443e90faa78"
                     "d82ecfa9c7827d8f7915c35b2fab972e1086686"},
                 {6, "c9e4fe668e9dc269a4657146b5e28a22347cde18a4b0e79d8146532f2"
                     "7ebc386f304400ea5d4bf4159b5a6916dd4564e"},
                 {7, "6850b0a82e7e77c0f51e0e6732163866003390c4eb286d8dfb26a72f7"
                     "11a9c8bcdf402a1fd4e5d70b97708107a785efc"},
                 {8, "3292ac26b8e5ff38316082758489115e7f1de0b4b48a60ecabfb01b55"
                     "7a233ab019f9b9da1c9c891f4c672cc58cff3c9"},
                 {10, "059b32e712a153f490dbfb7976a9e275d789e28bd4803c357def2b61"
                      "23327c430526bfaecc200f496d4e149fc5eade03"},
                 {12, "e19967a43e9a7470f6ec0076808c8a45b0b00f9a845fa271275c75a4"
                      "6ac52753d8df3e1187a837f8d7073e4166ff2944"},
                 {22, "60de21b54eb164c33d4734bbf5a81e441d8bc6b9300dd8bd606a7117"
                      "42a485cb0e97b7fd98b3538e5359dd8e524ad83f"},
                 {23, "8d5c94abe7da0a594b9f0dfe687625f314054c8d1e14306041e81f7f"
                      "5e9ba5d9d3407b96e258a5b9755b99ab0bbc45e0"},
                 {26, "2371ddf9e0dcf9dd47718ad3810628379859c3535b2aa6a54545ed74"
                      "903b7bbc8ccd0318bb988751d87b2663469e783f"},
                 {27, "e18bb7c3bc62b1f3a2a0a7dc50c157adeb6f9ee497f05ea6af0a8091"
                      "6bcc58ceec229c10e65fd3caea413c091d087595"},
                 {28, "180656cd20c7d71e0ed8d64e4d19612b19d5a9b626fbbbdf2a6efbbf"
                      "f38efafe62b399ece753dcda69341c5657412fb8"},
                 {30, "480314d58900126e1e8ef34facaac0a063341b9203fb9b742427511e"
                      "f9d79767c4a9395ce4d1d1dc5948e4dfbfefec07"},
                 {31, "4cdeb293c79d089d7ba8ccf305baa670e885cc4cdf7c2be0c66ef44f"
                      "5a4575c70c87377d9f7da6ac063f6f1f5a55a029"},
                 {32, "80fb1951f2e5695de2a47e2875c7bcd7637945811319e6c06893fb48"
                      "9e1d4f34d92a9eb38cb5f6eca42acb670b658aea"},
                 {33, "9f976e82fa30fcc6f82bce2c942ad4707c3df6b76e6295ce4c95cf9b"
                      "b62a08392571e9fb787f19b31bf0f3f04ba887a6"},
                 {34, "198b81d9c0cefe0b33ad65de3fad238a5461d8ee32487bf70fc19260"
                      "41408cb114624b8ca6b0d5fc97028b58d9cdb78d"},
                 {35, "07bbc504d3327cb76d4c4f3b3f1daf8779e40cc31d60826cb11dcc5d"
                      "09dc59a83bf693f0fb9b1f0b5e58ed4cdc3a580f"},
                 {36, "c0962ed90316ecea959dd0b6632d0c4f4d3bfbf72c4cd9031efe4815"
                      "4ed9ca59b41cd20ce06a7f9ca5cd8b0687cf1258"},
                 {37, "10570f642e274cfc2b9f1c955fab0aa56b6193d5c5ea271a74eb9764"
                      "334865695921456dc1ca383d7edf9e67760937ca"},
                 {38, "fccd6efa76267f5b43fc4a7647ce843a3912f0944a9bcc907456408c"
                      "368ad5e85bec4512d9d9aedebab31c3b80950627"},
                 {39, "c7ea135dca389918789454861bb593095dc44f8ad39035665daa81fa"
                      "02cf6fbd3a18227b6224dced70288b9fd3161cc0"},
                 {40, "bfd4ba5689a3e041a8c769d0171bb3f2ff5ca55bdb1d201a357b128f"
                      "0c0a8b7ffc1c1859b152d93add02cf79836fb450"},
                 {41, "8620af613a2f0cabea390f354d850840b1d45d1c5d9168b03329c4b9"
                      "c36c1078b27ce35416dd9d25f3ee51ab2a6c570e"},
                 {42, "11baaa3599e7a7b70151cf427c62fc95556d9102a9f87499085b3ec1"
                      "22ba64c35b78d505ce847e8b7b1bd90e0c59dcce"},
         }},
        {"nvsdk_hopper_evidence_590",
         "e97b23a1718095a0e9e35edca810768c70a6a5a389b705e753b197912bc11576",
         "3563704807a33eaaff1e40f0204b5166a9703edad84b238f8e67306e9c622584",
         579,
         "590.12",
         "96.00.A5.00.01",
         "G520",
         "0200",
         "885",
         "956ecf09ee4191f115224d1cb09e76b897b77591c3ea7c2a22e1c50546aeba7961cd6"
         "7edbb4a274e294fe1402036211d",
         28,
         {
                 {2, "f21c16b08086efe555ffe179f2c97f071e7975ea9b4d17da6e79a051b"
                     "7f0a33884166649d26fe0854c149866b3a61c77"},
                 {3, "75f294751517191395f860d6efa315a27e24365eaab23f11c7084ab5b"
                     "06e3b18dd5b1962d7d114e1e24ddf4f9717cc58"},
                 {4, "eb76288c52add9be4efcbaec5f8298ffa5c861b81b805c7c34fbcc506"
                     "c460ea7596ef53bac0599d245d8c6ac8934e1c7"},
                 {5, "568b89291a34cece03b12aaa352d9afe273610307525b8443e90faa78"
                     "d82ecfa9c7827d8f7915c35b2fab972e1086686"},
                 {6, "c9e4fe668e9dc269a4657146b5e28a22347cde18a4b0e79d8146532f2"
                     "7ebc386f304400ea5d4bf4159b5a6916dd4564e"},
                 {7, "6850b0a82e7e77c0f51e0e6732163866003390c4eb286d8dfb26a72f7"
                     "11a9c8bcdf402a1fd4e5d70b97708107a785efc"},
                 {8, "453425e73e33fed1955991046d356466b0e776818c9eccaacb5048d9d"
                     "c8b59e64a3d0da8806a9be821f731c00c849ba4"},
                 {10, "dc593e06700c7cb596ad8524c2c7f0979873900953b9eca34e5afcf1"
                      "ee1b327c7375ca314a946c75c1abcda551310acb"},
                 {12, "46a47e621f5aaf87122002a3a179df0409015104abd0be6504eee1a7"
                      "cd0ab9bea24409cc1281a206df32decd1cd9ee13"},
                 {13, "e9bec0ccddde61f522f51f046d85302f4df5ec488e1df29099192b1d"
                      "73612f6f0f6a6e07b8993688fc131826d3a6d3d7"},
                 {22, "ca3530c819592bfbbfd2e5fe14818a8e5858dcf95a35f370e3a00a80"
                      "9ff0638a646406b54418ae44303424b3aec89c77"},
                 {23, "8304bfa9e6a795e291385897a47b867746b403e67fa7fc9299a64685"
                      "61f45f0de0abfdca544ace94591f092c58682cdf"},
                 {26, "94848eadbcff968fc663824e9a56e836c8beb3b24a4ab7c1899aac2e"
                      "ed58800a5853336253e538191dd4adac600e47bf"},
                 {27, "6e0a7ed3bf10b08da4d4cca48fff188688d5078e27a7aa777c038c72"
                      "e1e68ebff9affc39ab57e1b3b0a2cd0129d6e904"},
                 {28, "2162334f65ea91dc778b68f294f499712eb736bbb1bc09238d07dbc9"
                      "c3bc7f748f37f218aa0b02936198f3a75a06abef"},
                 {30, "c7c9a2dbc755e0216c9f273409bba0fdf9c98eb4be90112044fdef16"
                      "d8ee03762fc8a30a04504d9ebae1691c0c464d08"},
                 {31, "a983cc2310d63dd3ea270a7e8aec4afb70d3a8f21437dec29d47004f"
                      "2680b26bc5adfd9f349f8c678b1c53071a530cd0"},
                 {32, "8d3a8a8a2835e404289dbebac4aaa083ebe03df8b9370fda8293b796"
                      "ac73eeabc7538f7beda56ffd08985c55dcaf2a94"},
                 {33, "ec056c2b9e3a568261d0092b8aa1dadb19377382174ba5503a3059ca"
                      "bd2dd1ea82bef1b905ab8a3769832092ddefd30d"},
                 {34, "198b81d9c0cefe0b33ad65de3fad238a5461d8ee32487bf70fc19260"
                      "41408cb114624b8ca6b0d5fc97028b58d9cdb78d"},
                 {35, "07bbc504d3327cb76d4c4f3b3f1daf8779e40cc31d60826cb11dcc5d"
                      "09dc59a83bf693f0fb9b1f0b5e58ed4cdc3a580f"},
                 {36, "261148337ccf08ed5351584a95557b245326cbc5ef511ca5b22bc162"
                      "b9932529fc118f0fe6939dd214545c9388158781"},
                 {37, "c3cbc9cb8c6164d9f37e2116555618e3d5dd1c89dc732c550e3516a7"
                      "2160623fd62fdd3b1f240032388e3f1b3024aaf1"},
                 {38, "fccd6efa76267f5b43fc4a7647ce843a3912f0944a9bcc907456408c"
                      "368ad5e85bec4512d9d9aedebab31c3b80950627"},
                 {39, "c7ea135dca389918789454861bb593095dc44f8ad39035665daa81fa"
                      "02cf6fbd3a18227b6224dced70288b9fd3161cc0"},
                 {40, "35be685ecdc08925eca9bc2058e5fb457dffa494ce091dca0a02865b"
                      "05fa6c8a885d530ada255e06481a731106645577"},
                 {41, "122d9f6ea870a66e3ab96c3e2bab90a9f44b6931486cb3a24105e054"
                      "aef98d8fc2fce52edfb0c325e1ea7636b7ffe5c9"},
                 {42, "11baaa3599e7a7b70151cf427c62fc95556d9102a9f87499085b3ec1"
                      "22ba64c35b78d505ce847e8b7b1bd90e0c59dcce"},
         }},
};
#endif
