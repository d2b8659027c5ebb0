/**
 * The default constitution's session rules: they judge a call by where its values came from and by
 * what earlier results of the session showed, in capability classes, never in tool names. The default
 * constitution appends them after its file, shell, network, database and business rules.
 */
export const SESSION_RULES: string = `# ---------------------------------------------------------------- session: where values came from
# These rules read what the gate saw on the way back from earlier calls of the same session: results
# that carried instructions addressed to the agent (session.flagged), where the values of this call's
# arguments first arrived (origin.*), and what the tool can do (tool.class, inferred once from its
# definition). A call without session facts (a host that calls the gate directly) has none: facts
# are evidence and their absence is not, so session.flagged reads 0 and origin.* false, and these
# rules stay silent rather than guess. An attack that looks like an ordinary call (a payment to an
# account, a password change, a mail) is dangerous because an earlier result asked for it; these
# rules are where that shows.

deny act-on-injected-values
  when origin.instructed
  when tool.class in [moves-money, changes-access, sends-outside, deletes, executes-code, changes-state]
  reason "A value in this call was written inside instructions that an earlier tool result addressed to the agent; acting on it would carry out those instructions."
end

# Opening an address that injected text supplied is how an injection fetches more of itself, leads
# the user to a phishing page or carries data out in a URL, whatever the tool.
deny follow-injected-addresses
  when origin.instructed and origin.kind in [url, host]
  reason "The address in this call was written inside instructions that an earlier tool result addressed to the agent; the agent does not follow it."
end

# Sending data from a sensitive read is ordinary work when the user asked for it (a balance to an
# accountant), so it alone decides nothing; after a result tried to instruct the agent, it is how an
# injection takes data out.
deny sensitive-data-out-after-injection
  when origin.sensitive and session.flagged > 0
  when tool.class == sends-outside
  reason "Data from a sensitive read is about to leave through an outward channel in a session where a tool result carried instructions addressed to the agent."
end

# Messages and uploads after a flag are judged by what they carry (the next rule), not asked about
# wholesale: a tool that only sends is left to it.
ask consequential-call-after-injection
  when session.flagged > 0
  when tool.class in [moves-money, changes-access, deletes, executes-code, changes-state]
  unless tool.class == sends-outside and tool.class not in [moves-money, changes-access, deletes, executes-code]
  reason "An earlier tool result in this session carried instructions addressed to the agent, and this call moves money, changes access, deletes data, runs code or changes something."
  question "An earlier tool result in this session contained instructions addressed to the agent. This call moves money, changes access, deletes data, runs code or changes something. Should it go ahead?"
end

ask send-values-from-flagged-results
  when origin.flagged
  when tool.class == sends-outside
  reason "This call sends a value that arrived in a tool result carrying instructions addressed to the agent."
  question "This message or upload carries a value from a tool result that contained instructions addressed to the agent. Should it be sent?"
end

`;
