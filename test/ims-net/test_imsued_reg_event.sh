#!/bin/sh
# The reg event package with the real daemon against the Kamailio IMS network (TS 24.229
# 5.1.1.3, 5.1.1.7): tools/imsued registers the "aka" subscriber, subscribes to its reg event
# and shows the first (full state, registered) NOTIFY in its status; then the network
# deregisters it, once by `kamcmd regscscf.dereg_impu` at the S-CSCF and once by an HSS
# Registration-Termination-Request. Kamailio NOTIFYs each IMPU's registration as terminated
# without contacts (Subscription-State still active, doc/reg-event.md): imsued must report a
# `deregistered` event with the reason, stop claiming a registration and drop the
# subscription, without sending anything; `register` binds it again with a new subscription.
# Then a second daemon asking for Expires 1: each reregistration brings a NOTIFY with a higher
# version (registrations active), and the user's deregistration (unsubscribe, then de-REGISTER;
# Kamailio's `expired` NOTIFY) gives one `deregistered` event, reason user. TAP.
. "$(dirname "$0")/lib.sh"

plan imsued-start registered subscribed registered-notify \
	dereg-rpc dereg-event dereg-status dereg-unbound \
	register-again resubscribed \
	rtr-rta rtr-event rtr-status rtr-unbound quit \
	short-registered short-subscribed short-refreshed-notify user-dereg user-dereg-status \
	short-quit

imsnet_start || finish

impu=$aka_impu

imsued_conf ue aka "auth = aka" "security = none"
check imsued-start imsued_start ue
[ -s "$work/ue.pid" ] || { skip_rest "imsued did not start"; exit 0; }
check registered ue_wait_state ue 10 registered

# reg_event_is NAME PYTHON-CONDITION: the status's reg_event object `r` satisfies the condition
# (impus: the subscriber's IMPUs, default first)
reg_event_is() {
	uectl "$1" status >"$work/status.json" || return 1
	"${PYTHON3:-python3}" - "$work/status.json" "$aka_impus" "$2" <<'EOF'
import json, sys
u = json.load(open(sys.argv[1]))["ue"][0]
r = u.get("reg_event") or {}
impus = sys.argv[2].split(",")
ok = eval(sys.argv[3])
print("reg_event: %s" % json.dumps(r))
sys.exit(0 if ok else 1)
EOF
}

subscribed() {
	wait_until 10 reg_event_is ue 'r.get("state") == "active" and r.get("notifies", 0) >= 1'
	reg_event_is ue 'r["state"] == "active" and r["impu"] == impus[0] and r["call_id"]'
}
check subscribed subscribed
# The first NOTIFY: full state, every IMPU of the implicit set active (events registered).
check registered-notify reg_event_is ue \
	'r["version"] is not None and sorted(x["aor"] for x in r["registrations"]) == sorted(impus) and all(x["state"] == "active" for x in r["registrations"]) and r["subscription_state"].startswith("active")'
cid1=$(ue_field ue reg_event | "${PYTHON3:-python3}" -c 'import json,sys; print(json.load(sys.stdin)["call_id"])')

# ue_deregs NAME: the UE's `deregistered` events for its registration (state deregistered; the
# implicitly registered IMPUs get events of their own, with state registered)
ue_deregs() {
	grep '"event":"deregistered"' "$work/$1.events" | grep '"state":"deregistered"'
}
# wait_deregs NAME SECS COUNT: until there are COUNT of them, the last one with reason
# `network: terminated`
wait_deregs() {
	wait_until "$2" sh -c "[ \$(grep '\"event\":\"deregistered\"' '$work/$1.events' |
		grep -c '\"state\":\"deregistered\"') -ge $3 ]" &&
		ue_deregs "$1" | tail -n 1 | grep -q '"reason":"network: terminated"'
}

# --- administrative deregistration at the S-CSCF ------------------------------------------------
check dereg-rpc timeout 5 kamcmd -s "$scscf_ctl" regscscf.dereg_impu "$impu"
dereg_event() {
	wait_deregs ue 10 1 &&
		grep '"event":"deregistered"' "$work/ue.events" | grep -q '"impu":"tel:'
}
check dereg-event dereg_event
check dereg-status reg_event_is ue 'u["state"] == "deregistered" and r["state"] == "idle"'
check dereg-unbound wait_until 5 ue_has_no_contact "$impu"

# --- registering again: a new subscription (new Call-ID) ---------------------------------------
register_again() {
	uectl ue register && ue_wait_state ue 10 registered
}
check register-again register_again
resubscribed() {
	wait_until 10 reg_event_is ue 'r.get("state") == "active" and r.get("notifies", 0) >= 1' &&
		reg_event_is ue "r['call_id'] != '$cid1' and all(x['state'] == 'active' for x in r['registrations'])"
}
check resubscribed resubscribed

# --- Registration-Termination-Request from the HSS ---------------------------------------------
check rtr-rta sh -c "$hss -c $hss_ctl rtr aka | grep -q 'result=2001'"
rtr_event() {
	wait_deregs ue 10 2
}
check rtr-event rtr_event
check rtr-status reg_event_is ue 'u["state"] == "deregistered" and r["state"] == "idle"'
check rtr-unbound wait_until 5 ue_has_no_contact "$impu"

# quit: nothing registered, imsued exits 0 at once
check quit imsued_quit ue

# --- reregistrations and the user's deregistration while subscribed -----------------------------
# Expires 1: the S-CSCF grants 90 % of min_expires and the UE reregisters at half of it; each
# reregistration makes the S-CSCF NOTIFY (registrations active). The user's de-REGISTER is
# preceded by the unsubscribe; Kamailio's `expired` NOTIFY for it must not turn into a network
# deregistration: one `deregistered` event, reason user.
imsued_conf short aka "auth = aka" "expires = 1"
short_registered() {
	imsued_start short && ue_wait_state short 10 registered
}
check short-registered short_registered
check short-subscribed wait_until 10 reg_event_is short \
	'r.get("state") == "active" and r.get("notifies", 0) >= 1'
v1=$(ue_field short reg_event | "${PYTHON3:-python3}" -c 'import json,sys; print(json.load(sys.stdin)["version"])')
refreshed_notify() {
	ue_wait_event short $((min_expires + 2)) reregistered 1 &&
		wait_until 5 reg_event_is short \
			"r['version'] > $v1 and r['state'] in ('active', 'refreshing') and all(x['state'] == 'active' for x in r['registrations'])" &&
		{ [ "$(ue_field short state)" = registered ] ||
			[ "$(ue_field short state)" = reregistering ]; }
}
check short-refreshed-notify refreshed_notify
user_dereg() {
	uectl short deregister all && ue_wait_state short 5 deregistered &&
		sleep 1 && grep '"event":"deregistered"' "$work/short.events" &&
		[ "$(grep -c '"event":"deregistered"' "$work/short.events")" = 1 ] &&
		grep '"event":"deregistered"' "$work/short.events" | grep -q '"reason":"user"'
}
check user-dereg user_dereg
check user-dereg-status reg_event_is short 'u["state"] == "deregistered" and r["state"] == "idle"'
check short-quit imsued_quit short
finish
