# RBAC over a role table shipped as data in the same bundle (roles/data.json is data.roles):
# a subject's roles grant audiences, scopes and a lifetime; the token gets the union of the
# scopes its roles grant for the requested audience, and the shortest of their lifetimes.
package rbac

# The subject's roles that grant every requested audience.
granting contains role if {
	some role in data.roles.bindings[input.subject.claims.sub]
	every aud in input.audience {
		aud in data.roles.grants[role].audiences
	}
}

allow if {
	count(input.audience) > 0
	count(granting) > 0
}

deny contains sprintf("%s has no role", [input.subject.claims.sub]) if {
	not data.roles.bindings[input.subject.claims.sub]
}

granted := {s | some role in granting; some s in data.roles.grants[role].scopes}

# Requested scopes that a role grants; no scope requested means everything granted.
scope := {s | some s in input.scope; s in granted} if count(input.scope) > 0

else := granted

ttl := min({data.roles.grants[role].ttl | some role in granting}) if count(granting) > 0

claims := {"roles": sort([role | some role in granting])}
