package rbac.policy_test

import data.rbac

request(sub, audience, scope) := {
	"subject": {"token_type": "urn:ietf:params:oauth:token-type:jwt", "issuer": "https://idp.example.com", "claims": {"sub": sub}},
	"client": {"id": "cl-example00001", "name": "backoffice", "attributes": {}},
	"actor": null,
	"audience": audience,
	"resource": [],
	"scope": scope,
}

payments := ["https://api.example.com/payments"]

ledger := ["https://api.example.com/ledger"]

test_operator_gets_payments_scopes if {
	rbac.allow with input as request("alice", payments, [])
	rbac.scope == {"payments:read", "payments:write"} with input as request("alice", payments, [])
	rbac.ttl == 900 with input as request("alice", payments, [])
}

test_requested_scopes_are_narrowed if {
	rbac.scope == {"payments:read"} with input as request("alice", payments, ["payments:read", "ledger:read"])
}

test_operator_has_no_ledger if {
	not rbac.allow with input as request("alice", ledger, [])
}

test_auditor_reads_the_ledger if {
	rbac.allow with input as request("bob", ledger, [])
	rbac.scope == {"ledger:read", "payments:read"} with input as request("bob", ledger, [])
	rbac.claims == {"roles": ["auditor"]} with input as request("bob", ledger, [])
}

test_two_roles_union_scopes_and_take_the_shortest_ttl if {
	rbac.scope == {"payments:read", "payments:write"} with input as request("carol", payments, ["payments:read", "payments:write"])
	rbac.ttl == 900 with input as request("carol", payments, [])
	rbac.claims == {"roles": ["auditor", "payments-operator"]} with input as request("carol", payments, [])
}

test_unknown_subject_is_denied if {
	not rbac.allow with input as request("mallory", payments, [])
	rbac.deny == {"mallory has no role"} with input as request("mallory", payments, [])
}

test_role_table_can_be_replaced if {
	not rbac.allow with input as request("alice", payments, []) with data.roles.bindings as {"alice": []}
}
