#!/bin/sh
# Prints the blocked and ignored signal masks the script started with.
printf 'Content-Type: text/plain\r\n\r\n'
exec grep -E '^Sig(Blk|Ign)' /proc/self/status
