# First in the set: on-call engineers handling an incident get a short-lived refund token,
# whatever their usual role. For everyone else allow is undefined, so this policy denies
# ("allow is not true") and the STS goes on to the next policy of the set.
package breakglass

allow if {
	input.subject.claims.oncall == true
	regex.match(`^INC-[0-9]+$`, input.subject.claims.incident)
}

ttl := 600

scope := {"payments:read", "payments:refund"}

claims := {"incident": input.subject.claims.incident}
