package payments_test

import data.payments

payer := {
	"schema_version": 1,
	"zone": {"id": "zn-example00001"},
	"request": {"id": "req-1", "time": "2026-12-01T10:00:00Z", "time_ns": 1795946400000000000, "ip": "203.0.113.7", "country": "FR"},
	"client": {"id": "cl-example00001", "name": "checkout", "attributes": {"team": "payments"}},
	"subject": {
		"token_type": "urn:ietf:params:oauth:token-type:jwt",
		"issuer": "https://idp.example.com",
		"claims": {"sub": "alice", "role": "payer", "amr": ["pwd", "mfa"], "lifetime_volume": 250000},
	},
	"actor": null,
	"resource": [],
	"audience": ["https://api.example.com/payments"],
	"scope": ["payments:read", "payments:write", "admin"],
	"requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
}

test_payer_is_allowed if {
	payments.allow with input as payer
	count(payments.deny) == 0 with input as payer
}

test_other_roles_are_not if {
	not payments.allow with input as object.union(payer, {"subject": {"claims": {"role": "viewer"}}})
}

test_other_teams_are_not if {
	not payments.allow with input as object.union(payer, {"client": {"attributes": {"team": "growth"}}})
}

test_suspended_subject_is_denied if {
	payments.deny == {"subject is suspended"} with input as object.union(payer, {"subject": {"claims": {"suspended": true}}})
}

test_unserved_country_is_denied if {
	payments.deny == {"country KP is not served"} with input as object.union(payer, {"request": {"country": "KP"}})
}

test_ttl_is_an_hour_with_mfa if {
	payments.ttl == 3600 with input as payer
}

test_ttl_is_five_minutes_without_mfa if {
	payments.ttl == 300 with input as object.union(payer, {"subject": {"claims": {"amr": ["pwd"]}}})
}

test_scope_keeps_only_payments_scopes if {
	payments.scope == {"payments:read", "payments:write"} with input as payer
}

test_scope_defaults_to_read if {
	payments.scope == {"payments:read"} with input as object.union(payer, {"scope": []})
}

test_claims_carry_the_tier if {
	payments.claims == {"payer_tier": "gold"} with input as payer
	payments.claims == {"payer_tier": "standard"} with input as object.union(payer, {"subject": {"claims": {"lifetime_volume": 10}}})
}
