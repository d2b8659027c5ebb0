/**
 * The default constitution's rules for mail and chat, code hosting, payments and memory: what a
 * careful operator never lets an agent do unprompted with messages, repositories, money and stored
 * notes. The default constitution appends them to its file, shell, network and database rules.
 */
export const BUSINESS_RULES: string = String.raw`# ---------------------------------------------------------------- mail and chat
# Which domains are the organisation's own is not known here, so every auto-forward needs a privileged
# principal; a deployment that allows forwarding inside its domain adds, for example,
#   unless arg.action.forward endswith "@example.com"
deny mail-forwarding-rules
  when tool glob ["*mail*", "*inbox*", "*gmail*", "*outlook*"]
  when tool glob ["*forward*", "*delegate*"]
    or (tool glob ["*filter*", "*rule*"]
        and (arg.forward exists or arg.forward_to exists or arg.forwardTo exists or arg.redirectTo exists
             or arg.action.forward exists or arg.action.forward_to exists or arg.action.forwardTo exists
             or arg.actions.forwardTo exists or arg.actions.redirectTo exists or arg.actions.forwardAsAttachmentTo exists))
  unless tier >= privileged
  reason "Auto-forwarding rules quietly send every future message to someone else; labelling and archiving filters are fine."
end

deny mail-rules-that-hide-mail
  when tool glob ["*mail*", "*inbox*", "*gmail*", "*outlook*"]
  when tool glob ["*filter*", "*rule*"]
  when any string matches /^\s*(trash|spam|junk|junk ?e?mail|deleted ?items)\s*$/i
    or arg.action.delete == true or arg.actions.delete == true or arg.actions.permanentDelete == true
  reason "Rules that delete incoming mail or send it to spam hide warnings from the mailbox owner."
end

deny lookalike-recipient-addresses
  when tool glob ["*send*", "*mail*", "*message*", "*post*", "*chat*", "*slack*", "*invite*", "*share*"]
  when any string matches /^[^\s@]+@([^\s@]*[a-zA-Z][^\s@]*[\p{Cyrillic}\p{Greek}\p{Armenian}]|[^\s@]*[\p{Cyrillic}\p{Greek}\p{Armenian}][^\s@]*[a-zA-Z])[^\s@]*$/
  reason "An address whose domain mixes Latin letters with Cyrillic, Greek or Armenian ones imitates a real domain."
end

deny credential-requests-in-messages
  when tool glob ["*send*", "*mail*", "*message*", "*post*", "*chat*", "*slack*"]
  when any string matches /https?:\/\/\S+[^\n]*\bwith your (\w+ )?(password|passcode|credentials|pin)\b|\b(enter|confirm|provide|reply with|send us|send me|type) your (\w+ )?(password|passcode|credentials|pin|mfa code|2fa code|one-time code)\b/i
  reason "Messages asking people to hand over passwords or codes are phishing, whoever sends them."
end

deny payment-instruction-changes-in-messages
  when tool glob ["*send*", "*mail*", "*message*", "*post*", "*chat*", "*slack*"]
  when any string matches /\b(bank|banking|payment|account|wire|remittance) (details|information|info|instructions) (have |has )?(changed|been changed|been updated|updated)\b|\bnew (bank|banking|wire) (details|account)\b/i
  reason "Announcing changed bank details by message is how invoice fraud works; it goes through the payee-change process."
end

deny sensitive-attachments
  when tool glob ["*send*", "*mail*", "*message*", "*post*", "*share*", "*upload*"]
  when arg.attachments matches /pii\b|personal[_-]?data|credential|password|secret|\.env$|\.(pem|key|p12|pfx|kdbx)$|\b(customers?|users?|employees?|patients?)[_-](full|export|dump|list|data)/i
    or arg.attachments.path matches /pii\b|personal[_-]?data|credential|password|secret|\.env$|\.(pem|key|p12|pfx|kdbx)$|\b(customers?|users?|employees?|patients?)[_-](full|export|dump|list|data)/i
    or arg.attachments.filename matches /pii\b|personal[_-]?data|credential|password|secret|\.env$|\.(pem|key|p12|pfx|kdbx)$|\b(customers?|users?|employees?|patients?)[_-](full|export|dump|list|data)/i
  reason "Credential files and personal-data exports are not attached to messages by an agent."
end

deny broadcast-below-trusted
  when tool glob ["*send*", "*message*", "*post*", "*chat*", "*slack*"]
  when any string matches /(^|\s)@(channel|everyone|here)\b|<!(channel|everyone|here)>/
  when tier < trusted
  reason "Below the trusted tier, agents may not notify whole channels."
end

# ---------------------------------------------------------------- code hosting
deny force-push-protected-branches
  when (tool glob ["*shell*", "*exec*", "*command*", "*terminal*", "*bash*", "*run*"]
        and any string matches /\bgit\s+push\b[^;&|]*\s(-f|--force|--force-with-lease)(\s|=|$)|\bgit\s+push\b[^;&|]*\s\+/
        and any string matches /\b(main|master|production|prod|release)\b/)
    or (tool glob ["*push*", "*update_ref*", "*update_branch*"] and arg.force == true)
  reason "Force-pushing rewrites shared history; protected branches never take it from an agent."
end

deny destroy-repositories
  when tool glob ["*delete_repo*", "*delete_repository*", "*transfer_repo*", "*archive_repo*",
                  "*delete_org*", "*delete_team*"]
  unless tier >= privileged
  reason "Deleting, transferring or archiving repositories needs a privileged principal."
end

deny weaken-branch-protection
  when tool glob ["*delete_branch_protection*", "*remove_branch_protection*", "*unprotect*"]
    or (tool glob ["*branch_protection*", "*protect_branch*", "*ruleset*"]
        and (arg.enforce_admins == false or arg.required_approving_review_count < 1
             or arg.required_pull_request_reviews.required_approving_review_count < 1
             or arg.allow_force_pushes == true or arg.allow_deletions == true))
  unless tier >= privileged
  reason "Removing branch protection, exempting admins or dropping required reviews needs a privileged principal; tightening it is fine."
end

deny publish-repository
  when tool glob ["*repo*", "*repository*"]
  when not tool glob ["*create_repo*", "*fork*"]
  when arg.visibility == "public" or arg.private == false
  unless tier >= privileged
  reason "Making an existing repository public publishes its code and history for good; it needs a privileged principal."
end

deny grant-admin-access
  when tool glob ["*collaborator*", "*member*", "*team*", "*permission*", "*invite*", "*role*"]
  when arg.permission in ["admin", "maintain", "owner"] or arg.role in ["admin", "owner", "maintainer"]
    or arg.access_level >= 40
  unless tier >= privileged
  reason "Granting admin or maintainer rights needs a privileged principal."
end

deny writable-deploy-keys
  when tool glob ["*deploy_key*", "*deploykey*"]
  when arg.read_only == false or arg.readOnly == false or arg.can_push == true
  unless tier >= privileged
  reason "A deploy key with write access is a standing credential that can push code; it needs a privileged principal."
end

deny ci-secrets-piped-out
  when any string matches /\$\{\{\s*secrets\.\w+\s*\}\}[^\n]*\|\s*(base64|xxd|od|rev|curl|wget|nc|ncat)\b/
  reason "CI secrets are used where they are needed, never encoded past log masking or piped to the network."
end

deny change-ci-workflows-below-trusted
  when tool glob ["*write*", "*edit*", "*create*", "*push*", "*commit*", "*update*", "*file*"]
  when any string glob ["**/.github/workflows/**", "**/.gitlab-ci.yml", "**/.circleci/**"]
  when tier < trusted
  reason "CI workflows run with the repository's secrets; below the trusted tier they are read-only."
end

# ---------------------------------------------------------------- payments
deny payments-below-trusted
  when tool glob ["*payment*", "*charge*", "*transfer*", "*payout*", "*refund*", "*invoice*", "*checkout*"]
  when tier < trusted
  reason "Moving money needs at least a trusted principal."
end

deny large-payments
  when tool glob ["*payment*", "*charge*", "*transfer*", "*payout*", "*refund*"]
  # An amount written as an object ({ value, currency }) is compared by its value.
  when (arg.amount.value missing and arg.amount > 1000000) or arg.amount.value > 1000000
    or arg.value > 1000000 or arg.total > 1000000
  unless tier >= privileged
  reason "Amounts above 1,000,000 (large whether counted in the currency's unit or its smallest unit) need a privileged principal."
end

deny payment-fraud-signals
  when tool glob ["*payment*", "*charge*", "*transfer*", "*payout*", "*refund*", "*invoice*", "*wire*", "*coupon*"]
  when any string matches /\b(do not|don't|dont) (discuss|tell|mention|check|verify|call)\b|\b(keep|keeping|kept|stay|staying) (it |this |each |them |all |every \w+ )?(under|below|beneath) (the |our )?(\S+ )?(\w+ )?(limit|threshold|cap)\b|\beach (payment |transfer |one )?(under|below) \S*\d|\b(under|below) the (\w+ )?(reporting|review|approval|audit|aml) (limit|threshold)\b|\bsplit\b[^.]*\bto (stay|keep|avoid|get)\b|\bno need to (check|verify|confirm|call)\b|\b(bypass|skip|avoid|get around) (the )?(approval|review|verification|reporting|four-eyes)\b/i
  reason "Secrecy and splitting payments to stay under review or reporting limits are the marks of fraud and structuring."
end

deny move-client-funds
  when tool glob ["*payment*", "*charge*", "*transfer*", "*payout*", "*refund*", "*invoice*", "*wire*"]
  when arg.from_account matches /escrow|trust|client|customer|segregated/i
    or arg.source_account matches /escrow|trust|client|customer|segregated/i
    or arg.from matches /escrow|trust|client|customer|segregated/i
  unless tier >= privileged
  reason "Money held for customers (escrow, trust and client accounts) is not the organisation's to move."
end

deny refund-to-another-destination
  when tool glob ["*refund*"]
  when arg.destination exists or arg.to_account exists or arg.card exists
    or any string matches /\b(different|another|new|other|alternate|separate) (card|account|bank account|iban|payment method)\b/i
  reason "Refunds go back to the original payment method only."
end

deny unlimited-free-coupons
  when tool glob ["*coupon*", "*promo*", "*discount*", "*voucher*"]
  when arg.percent_off >= 100 or arg.percentOff >= 100
  when arg.duration in ["forever", "repeating"] or (arg.max_redemptions missing and arg.maxRedemptions missing)
  unless tier >= privileged
  reason "A free-for-everything coupon that never ends or has no redemption limit gives the product away."
end

deny change-payout-destination
  when tool glob ["*bank_account*", "*payout_method*", "*payout_destination*", "*payout_account*",
                  "*external_account*", "*beneficiar*", "*payee*", "*bank_detail*"]
  when not tool glob ["get_*", "list_*", "read_*", "describe_*", "retrieve_*", "search_*"]
  unless tier >= privileged
  reason "Where money is paid out changes only with a privileged principal."
end

# ---------------------------------------------------------------- memory and notes
deny stored-instructions
  when tool glob ["*memory*", "*memor*", "*entit*", "*observation*", "*remember*", "*note*", "*knowledge*"]
  when any string matches /\b(never|don't|do not) (mention|tell|reveal|disclose|inform)\b|\bwithout (asking|confirmation|confirming|approval|telling|checking)\b|\bobey (any|all|every)\b|\b(ignore|disregard) (all |any )?(previous|prior|earlier|other) (instructions|rules)\b|\bauthori[sz]ed (all|every|any) (future )?\w+|\bwhenever the user\b[^.]*\b(send|forward|email|upload|post)\b/i
  reason "Memory holds facts and preferences, not standing orders for later agents to act on unseen."
end
`;
