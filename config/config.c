/* placeholder: filled in by the foundation work (issue 2) */
typedef int tp_placeholder_config;
