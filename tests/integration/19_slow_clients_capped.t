#!/usr/bin/env bash
# Slow request bodies cannot fill nginx. nginx has no total-body timeout (the
# body timeout is per read), so a client sending one byte every 4 s keeps its
# connection for as long as it likes; what bounds it is the cap on requests in
# flight per address (limit_conn) and lingering_timeout for the ones refused.
# nginx is restarted with few connection slots (2 workers x 40) and a cap of 8,
# then 100 slow clients from 127.0.0.3 (more than all the slots), 10 a second,
# dribble for 16 s in all while real requests from 127.0.0.1 keep succeeding.
# Without the cap the slow clients take every slot and the real requests fail.
# Put back afterwards.
. "$(dirname "$0")/../lib/flow.sh"
restore() { "$ROOT/scripts/stack.sh" stop-nginx; "$ROOT/scripts/stack.sh" start-nginx; rm -rf "$TMP"; } >/dev/null 2>&1
trap restore EXIT

cap=8 clients=100 rate=10 secs=16
"$ROOT/scripts/stack.sh" stop-nginx >/dev/null 2>&1
NGINX_WORKER_CONNECTIONS=40 NGINX_CONN_PER_IP=$cap "$ROOT/scripts/stack.sh" start-nginx >/dev/null 2>&1
tok=$(token "$(new_user)")

# The slow clients: one perl process opening CLIENTS sockets from 127.0.0.3,
# RATE a second, each a POST with Content-Length 1000 whose body then comes one
# byte every 4 s, answer or not (an attacker does not read), until SECS are up.
# Also 5 clients dribbling their request header. Prints how they ended: never
# answered and still open (held by nginx),
# answered (status), or closed without an answer; and the most open at once.
cat > "$TMP/slow.pl" <<'PERL'
use strict; use warnings; use IO::Socket::INET; use IO::Select; use Time::HiRes qw(time);
my ($port, $n, $rate, $secs, $hdr) = @ARGV;
$SIG{PIPE} = 'IGNORE';
my (@socks, %answer, %closed);
my $sel = IO::Select->new;
my $req = "POST /tracks/upload/init HTTP/1.1\r\nHost: localhost\r\n"
        . "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{";
my $t0 = time; my $end = $t0 + $secs; my $tick = $t0 + 4; my $most = 0;
# and HDR clients that dribble their header instead: the header timeout is for
# the whole header, so nginx closes them whatever they send
my (@hdr, %hdr_closed);
for (1 .. $hdr) {
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
		LocalAddr => '127.0.0.3', Proto => 'tcp', Timeout => 5) or next;
	syswrite($s, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
	push @hdr, $s; $sel->add($s);
}
while (time < $end) {
	while (@socks < $n && @socks < (time - $t0) * $rate) {
		my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
			LocalAddr => '127.0.0.3', Proto => 'tcp', Timeout => 5);
		last unless $s;
		syswrite($s, $req);
		push @socks, $s; $sel->add($s);
	}
	for my $s ($sel->can_read(0.05)) {
		my $buf = ''; my $r = sysread($s, $buf, 4096);
		if ($r) { $answer{$s} //= $buf =~ m{^HTTP/1\.[01] (\d{3})} ? $1 : 'garbage'; }
		else { $closed{$s} = time - $t0; $sel->remove($s); close $s; }
	}
	if (time >= $tick) {
		for my $s (@socks, @hdr) { syswrite($s, ' ') unless $closed{$s}; }
		$tick += 4;
	}
	my $open = grep { !$closed{$_} } @socks;
	$most = $open if $open > $most;
}
my %count;
for my $s (@hdr) {
	$count{defined $answer{$s} ? "header_answered_$answer{$s}" : $closed{$s} ? 'header_closed' : 'header_open'}++;
	$count{header_closed_by} = int($closed{$s}) + 1 if $closed{$s} && int($closed{$s}) + 1 > ($count{header_closed_by} // 0);
}
for my $s (@socks) {
	my $k = defined $answer{$s} ? "answered_$answer{$s}" : $closed{$s} ? 'closed' : 'open';
	$count{$k}++;
}
printf "connected %d\nmost_open %d\n", scalar @socks, $most;
printf "%s %d\n", $_, $count{$_} for sort keys %count;
PERL
perl "$TMP/slow.pl" "$HTTP_PORT" "$clients" "$rate" "$secs" 5 > "$TMP/slow.txt" 2>&1 &
slow=$!
sleep 1

# Real requests from another address while the slow ones dribble.
real=0 good=0 deadline=$((SECONDS + secs))
while kill -0 "$slow" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ] && [ "$real" -lt 80 ]; do
	# a fresh user each time: one user may have only MAX_PENDING_UPLOADS_PER_USER pending
	utok=$(token)
	init_upload "$utok" /etc/hostname mp3
	real=$((real + 1)); [ "$STATUS" = 201 ] && good=$((good + 1)) || diag "init: $STATUS $BODY"
	track_status "$utok" "$(jget .track_id)"
	real=$((real + 1)); [ "$STATUS" = 200 ] && good=$((good + 1)) || diag "status: $STATUS $BODY"
	sleep 0.5
done
wait "$slow"
diag "slow clients: $(tr '\n' ' ' < "$TMP/slow.txt"); real requests: $good of $real good"

get() { awk -v k="$1" '$1 == k {print $2}' "$TMP/slow.txt"; }
cmp_ok "$real" -ge 10 "real requests were made while the slow clients dribbled"
is "$good" "$real" "every real request from another address succeeded"
is "$(get connected)" "$clients" "all $clients slow clients connected"
is "$(get open)" "$cap" "nginx held exactly $cap slow bodies from that address (the cap)"
is "$(get answered_429)" $((clients - cap)) "the other $((clients - cap)) got 429 at once"
is "$(get closed)" "" "none was dropped for want of a connection slot"
is "$(get header_closed)" 5 "5 clients dribbling their header were closed by nginx"
cmp_ok "$(get header_closed_by)" -le 12 "  within the 10 s header timeout (+ 2 s), though they kept sending"
api GET /healthz
is "$STATUS" 200 "after the slow clients: healthz 200"

done_testing
