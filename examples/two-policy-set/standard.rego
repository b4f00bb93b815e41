# Second in the set: the everyday rule. It is only evaluated when break-glass denied.
package standard

allow if input.subject.claims.role == "payer"

deny contains "subject is suspended" if input.subject.claims.suspended == true

ttl := 3600

scope := {"payments:read", "payments:write"}
