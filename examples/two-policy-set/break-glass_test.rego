package breakglass_test

import data.breakglass

oncall := {"subject": {"claims": {"sub": "dave", "oncall": true, "incident": "INC-4711"}}}

test_oncall_with_incident_is_allowed if {
	breakglass.allow with input as oncall
	breakglass.claims == {"incident": "INC-4711"} with input as oncall
}

test_oncall_without_incident_is_not if {
	not breakglass.allow with input as {"subject": {"claims": {"sub": "dave", "oncall": true}}}
}

test_bad_incident_id_is_not if {
	not breakglass.allow with input as {"subject": {"claims": {"sub": "dave", "oncall": true, "incident": "whatever"}}}
}

test_others_fall_through if {
	not breakglass.allow with input as {"subject": {"claims": {"sub": "alice", "role": "payer"}}}
}
