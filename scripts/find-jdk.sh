# Sourced by ./mvnj and ./edgellm: sets EDGELLM_JAVA_HOME to a JDK whose feature version is >= 25.
# Order: $JAVA_HOME, then every JDK under the standard JVM directories (newest first).
# Prints what to install and returns 1 when none is found. Needs nothing exported by hand.

edgellm_jdk_major() { # $1 = JDK home -> prints its feature version (e.g. 25), or nothing
  local rel="$1/release" v
  [ -x "$1/bin/java" ] || return 0
  if [ -r "$rel" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")
  else
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  fi
  echo "$v"
}

edgellm_find_jdk() {
  local need=25 cand best="" bestv=0 v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(edgellm_jdk_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$need" ] && [ -x "$JAVA_HOME/bin/javac" ]; then EDGELLM_JAVA_HOME=$JAVA_HOME; return 0; fi
  fi
  for cand in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$cand" ] || continue
    v=$(edgellm_jdk_major "$cand")
    [ -n "$v" ] || continue
    if [ "$v" -ge "$need" ] && [ "$v" -gt "$bestv" ] && [ -x "$cand/bin/javac" ]; then best=$cand; bestv=$v; fi
  done
  if [ -n "$best" ]; then EDGELLM_JAVA_HOME=$best; return 0; fi
  echo "edgellm needs a JDK $need or newer (JAVA_HOME=${JAVA_HOME:-unset}; none found under /usr/lib/jvm)." >&2
  echo "Install one, e.g. 'apt-get install temurin-25-jdk' (Adoptium repository) or 'apt-get install openjdk-25-jdk'," >&2
  echo "or point JAVA_HOME at it." >&2
  return 1
}
