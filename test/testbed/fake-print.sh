#!/bin/sh
# Print command for the test bed's virtual printers (ippeveprinter -c). ippeveprinter runs it once
# per document, with the document's path as $1 and the job's attributes as IPP_* variables.
#
# The job name carries directives, run in order, separated by ';':
#   STATE: +media-jam   STATE: -media-jam   STATE: none
#       written to stderr: ippeveprinter changes its printer-state-reasons, which persist after
#       the job (keywords it knows: other, cover-open, input-tray-missing, marker-supply-empty,
#       marker-supply-low, marker-waste-almost-full, marker-waste-full, media-empty, media-jam,
#       media-low, media-needed, moving-to-paused, paused, spool-area-full, toner-empty, toner-low)
#   ATTR: marker-levels=5,80
#       written to stderr: sets a printer attribute the same way
#   SLEEP:30            keep the job processing for 30 s (or until it is canceled)
#   FAIL                exit 1 (FAIL:3 exits 3): the device aborts the job; through a CUPS queue
#                       it ends canceled ("canceled at printer")
# Anything else (an ordinary title) is ignored and the job completes.
#   lp -t 'STATE: +media-jam'   lp -t 'STATE: +toner-low;SLEEP:5'   lp -t 'SLEEP:2;FAIL'

# ippeveprinter leaves its print command running when it is killed. With a parent-death signal
# this shell dies with it, even when the test process was SIGKILLed and nobody stops the bed.
if [ -z "${FAKE_PRINT_GUARDED-}" ] && command -v setpriv >/dev/null 2>&1; then
  FAKE_PRINT_GUARDED=1 exec setpriv --pdeathsig KILL -- "$0" "$@"
fi
here=$(dirname "$0")

# Sleeps $1 seconds in 0.2 s steps and ends the command once the job is canceled: ippeveprinter
# marks a processing job processing-to-stop-point on Cancel-Job but waits for its print command,
# so an uninterruptible sleep would keep the device busy long after the job was canceled.
nap() {
  steps=$(awk -v s="$1" 'BEGIN { printf "%d", s * 5 + 0.5 }')
  while [ "$steps" -gt 0 ]; do
    sleep 0.2
    steps=$((steps - 1))
    if [ -n "${IPP_JOB_ID-}" ] && [ -n "${IPP_JOB_PRINTER_URI-}" ] &&
      ipptool -q -T 2 -d "jobid=$IPP_JOB_ID" "$IPP_JOB_PRINTER_URI" "$here/job-canceled.test" 2>/dev/null; then
      exit 0
    fi
  done
}

status=0
set -f
IFS=';'
for directive in ${IPP_JOB_NAME-}; do
  # Trim the blanks around each directive ("a ; b").
  directive="${directive#"${directive%%[![:space:]]*}"}"
  directive="${directive%"${directive##*[![:space:]]}"}"
  case "$directive" in
    STATE:* | ATTR:*)
      printf '%s\n' "$directive" >&2
      ;;
    SLEEP:*)
      seconds="${directive#SLEEP:}"
      case "$seconds" in
        '' | *[!0-9.]*) printf 'DEBUG: fake-print.sh ignores "%s"\n' "$directive" >&2 ;;
        *) nap "$seconds" ;;
      esac
      ;;
    FAIL)
      status=1
      ;;
    FAIL:*)
      status="${directive#FAIL:}"
      case "$status" in
        '' | *[!0-9]*) status=1 ;;
      esac
      ;;
  esac
done
exit "$status"
