# Payments: payers may exchange their login token for a payments API token.
# Obligations: a short lifetime for weak authentication, only payments scopes,
# and the payer's tier as a claim of the issued token.
package payments

default allow := false

allow if {
	input.subject.claims.role == "payer"
	input.client.attributes.team == "payments"
	"https://api.example.com/payments" in input.audience
}

deny contains "subject is suspended" if input.subject.claims.suspended == true

deny contains sprintf("country %s is not served", [input.request.country]) if {
	input.request.country in {"KP", "IR"}
}

# One hour normally; five minutes without multi-factor authentication.
default ttl := 3600

ttl := 300 if not mfa

mfa if "mfa" in input.subject.claims.amr

# Grant only the payments scopes that were asked for; none asked for means read.
scope := {s | some s in input.scope; startswith(s, "payments:")} if count(input.scope) > 0

else := {"payments:read"}

claims := {"payer_tier": tier}

default tier := "standard"

tier := "gold" if input.subject.claims.lifetime_volume >= 100000
