# tests/lib/tap.sh: minimal TAP producer for bash tests run by prove.
# usage: . tests/lib/tap.sh; ok COND "name"; is GOT WANT "name"; done_testing
_tap_n=0
_tap_fail=0

diag() { printf '# %s\n' "$*" | sed '2,$s/^/# /' >&2; }
_tap_result() { # pass name
	_tap_n=$((_tap_n + 1))
	if [ "$1" = 1 ]; then printf 'ok %d - %s\n' "$_tap_n" "$2"
	else printf 'not ok %d - %s\n' "$_tap_n" "$2"; _tap_fail=$((_tap_fail + 1)); fi
}
# ok "name" command...: passes when the command succeeds
ok() { local name=$1; shift; if "$@"; then _tap_result 1 "$name"; else _tap_result 0 "$name"; return 1; fi; }
# is GOT WANT "name"
is() {
	if [ "$1" = "$2" ]; then _tap_result 1 "$3"
	else _tap_result 0 "$3"; diag "     got: '$1'" "expected: '$2'"; return 1; fi
}
# like GOT REGEX "name"
like() {
	if [[ "$1" =~ $2 ]]; then _tap_result 1 "$3"
	else _tap_result 0 "$3"; diag "     got: '$1'" "expected to match: /$2/"; return 1; fi
}
# unlike GOT REGEX "name"
unlike() {
	if ! [[ "$1" =~ $2 ]]; then _tap_result 1 "$3"
	else _tap_result 0 "$3"; diag "     got: '$1'" "expected not to match: /$2/"; return 1; fi
}
# cmp_ok A OP B "name" (numeric: -lt -le -gt -ge -eq -ne)
cmp_ok() {
	if [ "$1" "$2" "$3" ] 2>/dev/null; then _tap_result 1 "$4"
	else _tap_result 0 "$4"; diag "     got: $1 $2 $3 is false"; return 1; fi
}
bail() { printf 'Bail out! %s\n' "$*"; exit 255; }
done_testing() {
	printf '1..%d\n' "$_tap_n"
	[ "$_tap_fail" = 0 ]
}
