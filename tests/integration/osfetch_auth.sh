# osfetch_auth.sh - authentication and TLS code paths, to a clear error at
# least: the dev server has no security plugin, so tests/faultproxy.py plays
# a server that checks the Authorization header.  Secrets never show in logs.
. "$(dirname "$0")/../setup"
. "$(dirname "$0")/osfetch_common"
need_server
IDX=osdl-t-fetch-auth-$$
trap 'osf_proxy_stop; os_curl -XDELETE "$OS_URL/$IDX" >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
osf_index "$IDX"
osf_load "$IDX" 300 0
SPEC="$IDX $OSF_FROM $OSF_TO"
unset OS_USER OS_PASSWORD OS_PASSWORD_FILE OS_NETRC OS_API_KEY OS_CACERT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

# TLS: https:// to the plain-HTTP port fails the handshake (permanent, exit 3);
# a missing CA file is a usage error before any request.
base=${OS_URL#http://}
OS_URL=https://$base t_run "https to a plain-HTTP port" 3 "osfetch: .*(SSL|TLS|wrong version)" osfetch -d "$T/c" $SPEC
OS_URL=https://$base t_run "https with --insecure still fails the handshake" 3 "SSL|TLS" osfetch -d "$T/c" --insecure $SPEC
OS_CACERT=$T/no-such-ca.pem t_run "OS_CACERT missing" 2 "^osfetch: OS_CACERT .*no-such-ca.pem: No such file" osfetch -d "$T/c" $SPEC
OS_URL=ftp://127.0.0.1/ t_run "OS_URL not http(s)" 2 "^osfetch: OS_URL must start with http" osfetch -d "$T/c" $SPEC

# Basic auth: the proxy wants "Basic base64(reader:s3cret-pw)".
osf_proxy --auth "Basic $(printf 'reader:s3cret-pw' | base64)"
OS_URL=$PROXY_URL t_run "no credentials" 3 "HTTP 401 security_exception" osfetch -d "$T/c" $SPEC
OS_URL=$PROXY_URL OS_USER=reader OS_PASSWORD=wrong-pw t_run "wrong password" 3 "HTTP 401 security_exception: missing or wrong credentials" osfetch -d "$T/c" $SPEC
OS_URL=$PROXY_URL OS_USER=reader OS_PASSWORD=s3cret-pw t_run "OS_USER/OS_PASSWORD" 0 "" \
	osfetch -d "$T/c1" --log-level full $SPEC
t_eq "password not in the logs" "$(grep -c 's3cret-pw' "$T/err" || true)" 0
printf 's3cret-pw\n' >"$T/pw"
OS_URL=$PROXY_URL OS_USER=reader OS_PASSWORD_FILE=$T/pw t_run "OS_PASSWORD_FILE" 0 "" osfetch -d "$T/c2" $SPEC
OS_URL=$PROXY_URL OS_USER=reader OS_PASSWORD_FILE=$T/nope t_run "OS_PASSWORD_FILE missing" 2 "^osfetch: OS_PASSWORD_FILE .*nope: No such file" osfetch -d "$T/c2" $SPEC
OS_URL=$PROXY_URL OS_USER=reader t_run "OS_USER without a password" 2 "^osfetch: OS_USER is set but" osfetch -d "$T/c2" $SPEC
printf 'machine 127.0.0.1 login reader password s3cret-pw\n' >"$T/netrc"
OS_URL=$PROXY_URL OS_NETRC=$T/netrc t_run "OS_NETRC" 0 "" osfetch -d "$T/c3" $SPEC
OS_URL=$PROXY_URL OS_NETRC=$T/nope t_run "OS_NETRC missing" 2 "^osfetch: OS_NETRC" osfetch -d "$T/c3" $SPEC
u=${PROXY_URL#http://}
OS_URL=http://reader:s3cret-pw@$u t_run "credentials in OS_URL" 0 "" osfetch -d "$T/c4" --log-level full $SPEC
t_eq "URL password not in the logs" "$(grep -c 's3cret-pw' "$T/err" || true)" 0
t_eq "URL logged without credentials" "$(grep -c "GET http://$u/ " "$T/err")" 1
osf_file_ids "$(cat "$T/out")" >"$T/got.ids"
os_ids "$IDX" $OSF_FROM $OSF_TO >"$T/want.ids"
t_same_file "authenticated fetch is complete" "$T/got.ids" "$T/want.ids"
osf_proxy_stop

# API key.
osf_proxy --auth "ApiKey a2V5aWQ6c2VjcmV0"
OS_URL=$PROXY_URL OS_API_KEY=a2V5aWQ6c2VjcmV0 t_run "OS_API_KEY" 0 "" osfetch -d "$T/c5" --log-level full $SPEC
t_eq "API key not in the logs" "$(grep -c 'a2V5aWQ6c2VjcmV0' "$T/err" || true)" 0
OS_URL=$PROXY_URL OS_API_KEY=d3Jvbmc= t_run "wrong OS_API_KEY" 3 "HTTP 401" osfetch -d "$T/c5b" $SPEC
osf_proxy_stop

# AWS SigV4 (libcurl): the header names our key id and the session token
# travels in x-amz-security-token.
osf_proxy --auth "AWS4-HMAC-SHA256 Credential=AKIDOSDLTEST/" --need-header "x-amz-security-token:tok-123"
OS_URL=$PROXY_URL t_run "--aws-region without credentials" 2 "^osfetch: --aws-region needs AWS_ACCESS_KEY_ID" \
	osfetch -d "$T/c6" --aws-region eu-west-1 $SPEC
OS_URL=$PROXY_URL AWS_ACCESS_KEY_ID=AKIDOSDLTEST AWS_SECRET_ACCESS_KEY=sigv4-secret-xyz AWS_SESSION_TOKEN=tok-123 \
	t_run "SigV4 signed requests" 0 "" osfetch -d "$T/c6" --log-level full --aws-region eu-west-1 $SPEC
t_eq "SigV4 secret not in the logs" "$(grep -c 'sigv4-secret-xyz' "$T/err" || true)" 0
OS_URL=$PROXY_URL AWS_ACCESS_KEY_ID=AKIDOSDLTEST AWS_SECRET_ACCESS_KEY=sigv4-secret-xyz \
	t_run "SigV4 without the session token" 3 "HTTP 403" osfetch -d "$T/c7" --aws-region eu-west-1 $SPEC
osf_proxy_stop
t_eq "no secret in any file written" "$(grep -rl -e s3cret-pw -e sigv4-secret -e a2V5aWQ6c2VjcmV0 "$T"/c* | wc -l | tr -d ' ')" 0
t_done
