package delegation_test

import data.delegation

user := {"token_type": "urn:ietf:params:oauth:token-type:jwt", "issuer": "https://idp.example.com", "claims": {
	"sub": "alice",
	"role": "payer",
	"may_act": {"sub": "svc-reporting"},
}}

reporting := {"token_type": "urn:ietf:params:oauth:token-type:jwt", "issuer": "https://idp.example.com", "claims": {"sub": "svc-reporting"}}

exchange(subject, actor, scope) := {
	"client": {"id": "cl-example00001", "name": "reporting", "attributes": {}},
	"subject": subject,
	"actor": actor,
	"audience": ["https://api.example.com/payments"],
	"resource": [],
	"scope": scope,
}

test_user_without_actor_is_allowed if {
	delegation.allow with input as exchange(user, null, ["payments:write"])
	not delegation.ttl with input as exchange(user, null, ["payments:write"])
}

test_named_service_may_act_and_reads_for_five_minutes if {
	delegation.allow with input as exchange(user, reporting, ["payments:read", "ledger:read"])
	count(delegation.deny) == 0 with input as exchange(user, reporting, ["payments:read"])
	delegation.ttl == 300 with input as exchange(user, reporting, ["payments:read"])
	delegation.scope == {"payments:read", "ledger:read"} with input as exchange(user, reporting, ["payments:read", "ledger:read"])
	delegation.claims == {"delegated_by": "svc-reporting"} with input as exchange(user, reporting, [])
}

test_service_not_named_in_may_act_is_not_allowed if {
	statements := object.union(reporting, {"claims": {"sub": "svc-statements"}})
	not delegation.allow with input as exchange(user, statements, ["payments:read"])
}

test_actor_from_another_issuer_is_not_allowed if {
	not delegation.allow with input as exchange(user, object.union(reporting, {"issuer": "https://evil.example"}), [])
}

test_delegated_write_is_denied if {
	delegation.deny == {"a delegated token may not write"} with input as exchange(user, reporting, ["payments:write"])
}

test_chain_depth if {
	once := object.union(user, {"claims": {"act": {"sub": "svc-gateway"}}})
	delegation.depth == 2 with input as exchange(once, reporting, [])
	count(delegation.deny) == 0 with input as exchange(once, reporting, [])
	twice := object.union(user, {"claims": {"act": {"sub": "svc-gateway", "act": {"sub": "svc-edge"}}}})
	delegation.deny == {"delegation chain is too deep"} with input as exchange(twice, reporting, [])
}
