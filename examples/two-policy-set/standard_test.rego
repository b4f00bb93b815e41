package standard_test

import data.standard

test_payer_is_allowed if {
	standard.allow with input as {"subject": {"claims": {"role": "payer"}}}
	count(standard.deny) == 0 with input as {"subject": {"claims": {"role": "payer"}}}
}

test_suspended_payer_is_denied if {
	standard.deny == {"subject is suspended"} with input as {"subject": {"claims": {"role": "payer", "suspended": true}}}
}

test_oncall_without_role_is_not_allowed if {
	not standard.allow with input as {"subject": {"claims": {"oncall": true, "incident": "INC-4711"}}}
}
