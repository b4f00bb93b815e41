# Delegation (RFC 8693 with an actor token): a service acts for a user.
# The STS itself refuses an actor that the subject token's may_act does not name, and sets the
# issued token's act claim; this policy adds what a deployment usually wants on top:
# - only the reporting services may act, and only for users whose token names an actor in may_act;
# - a delegated token reads, never writes, and lives five minutes;
# - a chain of delegation (a subject token that already carries act) is at most two deep.
package delegation

services := {"svc-reporting", "svc-statements"}

service_issuer := "https://idp.example.com"

delegated if input.actor != null

# A user acting directly.
allow if {
	not delegated
	input.subject.claims.role == "payer"
}

# A trusted service acting for a user who consented through may_act.
allow if {
	delegated
	input.actor.issuer == service_issuer
	input.actor.claims.sub in services
	input.subject.claims.may_act.sub == input.actor.claims.sub
}

deny contains "a delegated token may not write" if {
	delegated
	some s in input.scope
	endswith(s, ":write")
}

deny contains "delegation chain is too deep" if depth > 2

# How many actors already stand between the user and this request (act nests per RFC 8693 §4.1).
depth := count([a | walk(input.subject.claims, [path, a]); path[count(path) - 1] == "act"]) + 1 if delegated

ttl := 300 if delegated

scope := {s | some s in input.scope; endswith(s, ":read")} if delegated

claims := {"delegated_by": input.actor.claims.sub} if delegated
