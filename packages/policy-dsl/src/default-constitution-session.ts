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
# injection takes data out, and the person decides (a reply that quotes an address a customer asked
# for is the same call).
ask sensitive-data-out-after-injection
  when origin.sensitive and session.flagged > 0
  when tool.class == sends-outside
  reason "Data from a sensitive read is about to leave through an outward channel in a session where a tool result carried instructions addressed to the agent."
  question "Data from a sensitive read is about to be sent, in a session where a tool result contained instructions addressed to the agent. Should it be sent?"
end

# After a result tried to instruct the agent, a consequential call is put to the person when it carries
# a value from such a result, or when it is the kind of act the flagged text asked for (session.requested:
# read from its verbs and objects). Other work goes on: the user's own task does not stop because a page
# it read carried an injection. Messages and uploads are judged by what they carry (the next rule).
ask consequential-call-after-injection
  when (origin.flagged and tool.class in [moves-money, changes-access, deletes, executes-code, changes-state])
    or (tool.class == moves-money and session.requested == moves-money)
    or (tool.class == changes-access and session.requested == changes-access)
    or (tool.class == deletes and session.requested == deletes)
    or (tool.class == executes-code and session.requested == executes-code)
    or (tool.class == changes-state and session.requested == changes-state)
  unless tool.class == sends-outside and tool.class not in [moves-money, changes-access, deletes, executes-code]
  reason "An earlier tool result in this session carried instructions addressed to the agent, and this call carries a value from it or is the kind of act it asked for."
  question "An earlier tool result in this session contained instructions addressed to the agent. This call carries a value from that result or does what it asked for. Should it go ahead?"
end

# A code, password or token that arrived in a result has no business in a message, flagged or not: the
# person decides (secrets the redactor knows never reach the agent at all; this catches the rest, such
# as one-time codes).
ask secrets-leaving
  when origin.kind == secret
  when tool.class == sends-outside
  reason "This call sends a code, password or token that arrived in an earlier tool result."
  question "This message or upload carries a code, password or token that an earlier tool result showed the agent. Should it be sent?"
end

ask send-values-from-flagged-results
  when origin.flagged
  when tool.class == sends-outside
  reason "This call sends a value that arrived in a tool result carrying instructions addressed to the agent."
  question "This message or upload carries a value from a tool result that contained instructions addressed to the agent. Should it be sent?"
end

`;
