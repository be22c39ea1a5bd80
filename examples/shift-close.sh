#!/usr/bin/env bash
# Shift-close checklist for recover: what happened this shift, what it cost, what is still
# open, and a failing exit status when a follow-up is overdue, an incident is unfinished or
# a required step was skipped, so the checklist cannot be signed off with a customer
# forgotten.
#
# Usage: shift-close.sh [SINCE]    (default 8h; also today, 12h, 2026-11-23T06:00:00Z)
# Needs: recover (`cargo install --path . --locked`) and jq on PATH. RECOVER_LOG chooses
# the log as usual.
set -euo pipefail

since="${1:-8h}"

# First, whether the log can be read at all: a mistyped RECOVER_LOG must not sign off an
# empty shift (`due --check` exits 3 when there is no log; 1 means overdue, seen below).
check=0
recover due --check >/dev/null || check=$?
if [ "$check" -gt 1 ]; then
  echo "shift-close: cannot check the log (see the line above); not signed off" >&2
  exit "$check"
fi

echo "== Incidents since $since"
recover log --since "$since"

echo
echo "== Report"
recover report --since "$since"

report=$(recover report --since "$since" --json)
incidents=$(jq -r '.incidents' <<<"$report")
amends=$(jq -r '"\(.currency) \(.amends_total)"' <<<"$report")
skipped=$(jq -r '.follow_ups.skipped' <<<"$report")
unfinished=$(recover log --since "$since" --json | jq -r 'select(.status == "in_progress") | .id')
incomplete=$(recover log --since "$since" --json | jq -r 'select(.status == "incomplete") | .id')

echo
echo "== Follow-ups due"
due=$(recover due --json)
if [ -z "$due" ]; then
  echo "none"
else
  jq -r '[(if .overdue then "OVERDUE" else "due" end), .incident, .step, .due, (.ref // "")] | @tsv' <<<"$due"
fi
overdue=$(jq -s 'map(select(.overdue)) | length' <<<"$due")

echo
echo "== Summary"
echo "incidents: $incidents; amends given: $amends; follow-ups overdue: $overdue; follow-ups skipped: $skipped"
status=0
if [ -n "$unfinished" ]; then
  echo "UNFINISHED: $(tr '\n' ' ' <<<"$unfinished")— finish them with: recover resume ID (or, if started by mistake: recover abandon ID --reason TEXT)"
  status=1
fi
if [ -n "$incomplete" ]; then
  echo "INCOMPLETE (a required step was skipped): $(tr '\n' ' ' <<<"$incomplete")— once done, record each skipped step with: recover done ID STEP (see them with: recover show-incident ID)"
  status=1
fi
if [ "$check" -eq 1 ]; then
  echo "OVERDUE follow-ups: close each with: recover done ID STEP --outcome recovered|lost"
  status=1
fi
[ "$status" -eq 0 ] && echo "Shift closed: nothing left undone."
exit "$status"
