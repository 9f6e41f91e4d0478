# SPDX-License-Identifier: GPL-2.0
# lab: guests=4
#
# xenloopd policy: groups by domain name pattern and by the
# dom0-written xenloop-group key, the deny list, reloads on SIGHUP (a bad
# file keeps the previous policy) and refusal to start on a bad file.
#
#   [group a] name = g[12]     g1, g2
#   [group b] key = blue       g2 and g3 (keys written in dom0)
#   [deny]    name = g4        g4
#
#   expected views: g1 {g2}  g2 {g1 g3}  g3 {g2}  g4 {}
CONF=/etc/xenloop/xenloopd.conf

# Sorted peer domids in D's view, space-separated.
peers() { xenstore-list "$XL_ROOT/$1/peers" 2>/dev/null | sort -n | tr '\n' ' ' | sed 's/ $//'; }
expect_peers() { # DESC D WANT...
	local desc=$1 d=$2
	shift 2
	check_wait "$desc" 3 "[ \"\$(peers $d)\" = '$*' ]" ||
		diag "view of $d: $(peers $d)"
}

# Guests boot slowly when TCG shares the host with other labs.
LAB_WAIT=${LAB_WAIT:-180}

stage "start guests" 420
for g in g1 g2 g3 g4; do
	guest_start $g pv 192 || fail "xl create $g"
done
check "g1..g4 answer" guest_wait g1 g2 g3 g4
d1=$(guest_domid g1) d2=$(guest_domid g2) d3=$(guest_domid g3) d4=$(guest_domid g4)
diag "domids: g1=$d1 g2=$d2 g3=$d3 g4=$d4"

stage "groups and deny" 300
cat > $CONF <<'CFG'
# lab policy
[group a]
name = g[12]

[group b]
key = blue

[deny]
name = g4
CFG
check "xenloopd --check-config accepts the policy" xenloopd --check-config
xenstore-write /local/domain/$d2/xenloop-group blue
check "xenloopd starts with the policy" xenloopd_start
for g in g1 g2 g3 g4; do
	check_on $g "$g loads the module" modprobe xenloop
done
expect_peers "g1 sees g2 only (group a by name)" $d1 $d2
expect_peers "g2 sees g1 (a) only while g3 has no key" $d2 $d1
expect_peers "g3, in no group, sees nobody" $d3
expect_peers "g4, denied, sees nobody" $d4
xl_latency "g3 gets key blue: g2 sees it" \
	"xenstore-write /local/domain/$d3/xenloop-group blue" \
	"xenstore-exists /local/domain/$d3/xenloop-group" "xl_sees $d2 $d3" \
	"/local/domain/$d3/xenloop-group"
expect_peers "g2 sees g1 and g3" $d2 "$d1 $d3"
expect_peers "g3 sees g2 (group b by key)" $d3 $d2
expect_peers "g1 still sees g2 only" $d1 $d2
check "nobody sees g4" \
	"! xl_sees $d1 $d4 && ! xl_sees $d2 $d4 && ! xl_sees $d3 $d4"
check "--status shows the groups" \
	"xenloopd --status | tee /dev/stderr | grep -q '^domain $d2 name g2 groups a,b ' &&
	 xenloopd --status | grep -q '^domain $d4 name g4 groups (denied) .* peers 0\$'"

stage "keys guests cannot forge" 300
check_on g1 "g1 cannot write its own xenloop-group" \
	"! xenstore-write xenloop-group blue &&
	 ! xenstore-write /local/domain/$d1/xenloop-group blue"
xenstore-write /local/domain/$d1/xenloop-group blue
xenstore-chmod /local/domain/$d1/xenloop-group n0 b$d1
# The key change makes xenloopd look; it must refuse a guest-writable key.
check "a key the guest could write is ignored: g1 still does not see g3" \
	"sleep 1; [ \"\$(peers $d1)\" = $d2 ]"
check "the refusal is logged" \
	"grep -q 'domain $d1 (g1): ignoring xenloop-group: not owned by dom0 or writable by a guest' $XENLOOPD_LOG"
xenstore-rm /local/domain/$d1/xenloop-group

stage "reload" 300
gens=$(for d in $d1 $d2 $d3 $d4; do xenstore-read $XL_ROOT/$d/generation; done | tr '\n' ' ')
printf '[group a]\nname = g*\nkey = blue green\n' > $CONF
kill -HUP "$(cat $LAB_RUN/xenloopd.pid)"
check_wait "an invalid file on SIGHUP is reported with its line" 5 \
	"grep -q 'reload failed, keeping the previous policy: $CONF:3: invalid key value' $XENLOOPD_LOG"
check "and the views are untouched" \
	"[ \"\$(for d in $d1 $d2 $d3 $d4; do xenstore-read $XL_ROOT/\$d/generation; done | tr '\n' ' ')\" = '$gens' ]"
printf '[deny]\nname = g4\n' > $CONF
t0=$(lab_now_ms)
kill -HUP "$(cat $LAB_RUN/xenloopd.pid)"
expect_peers "after reload without groups g1 sees g2 and g3" $d1 "$d2 $d3"
diag "reload to all-see-all published in $(lab_since $t0) s"
expect_peers "g3 sees g1 and g2" $d3 "$d1 $d2"
expect_peers "g4 stays denied" $d4
rm -f $CONF
kill -HUP "$(cat $LAB_RUN/xenloopd.pid)"
expect_peers "without a config file everybody sees everybody" $d4 "$d1 $d2 $d3"

stage "invalid config at start-up" 120
printf '[group a]\nname = g1\n\n[deny]\nkey = x\n' > /tmp/bad.conf
check "xenloopd refuses to start with an invalid config, naming the line" \
	"out=\$(xenloopd -f -c /tmp/bad.conf 2>&1); rc=\$?; echo \"\$out\";
	 [ \$rc = 1 ] && echo \"\$out\" | grep -q '/tmp/bad.conf:5: \\[deny\\] takes only'"
check "xenloopd refuses a missing config given with -c" \
	"! xenloopd -f -c /tmp/missing.conf"
check "the running xenloopd is unaffected" "kill -0 \$(cat $LAB_RUN/xenloopd.pid)"
check "xenloopd stops cleanly" xenloopd_stop TERM
check "the log has no error besides the provoked ones" \
	"! grep -i -e error -e cannot $XENLOOPD_LOG | grep -v -e 'reload failed' -e 'ignoring xenloop-group'"
for g in g1 g2 g3 g4; do
	dmesg_clean $g "no WARNING, BUG or Oops in $g"
done
