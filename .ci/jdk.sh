# shellcheck shell=bash
# Finds a JDK >= 25 for ./abiscope, ./test and .ci/run (sourced, not run).
#
#   abiscope_find_jdk   -> prints the JDK home on stdout, returns 1 if there is none
#
# Order: $JAVA_HOME if it is a JDK >= 25; else the newest JDK >= 25 under the search roots
# ($ABISCOPE_JDK_SEARCH_PATH, colon-separated; default /usr/lib/jvm:/opt:/usr/local:
# ~/.sdkman/candidates/java:~/.jdks); else the `java` on $PATH if it belongs to a JDK >= 25.

ABISCOPE_MIN_JAVA=25
ABISCOPE_NO_JDK_MESSAGE="abiscope: needs a JDK ${ABISCOPE_MIN_JAVA} or newer; none found (set JAVA_HOME)"

# Major Java version of the JDK at $1 (empty if it is not a JDK).
abiscope_jdk_major() {
    local home=$1 v=""
    [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 0
    if [[ -f "$home/release" ]]; then
        v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" 2>/dev/null | head -n 1)
    fi
    if [[ -z "$v" ]]; then
        v=$("$home/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    v=${v#1.}          # 1.8.0 -> 8.0
    v=${v%%[.+-]*}     # 25.0.3 -> 25
    [[ "$v" =~ ^[0-9]+$ ]] && printf '%s\n' "$v"
    return 0
}

abiscope_find_jdk() {
    local major best="" best_major=0 root dir
    if [[ -n "${JAVA_HOME:-}" ]]; then
        major=$(abiscope_jdk_major "$JAVA_HOME")
        if [[ -n "$major" && "$major" -ge $ABISCOPE_MIN_JAVA ]]; then
            printf '%s\n' "$JAVA_HOME"
            return 0
        fi
    fi
    local search=${ABISCOPE_JDK_SEARCH_PATH-/usr/lib/jvm:/opt:/usr/local:${HOME:-/nonexistent}/.sdkman/candidates/java:${HOME:-/nonexistent}/.jdks}
    local IFS=:
    for root in $search; do
        [[ -n "$root" && -d "$root" ]] || continue
        for dir in "$root"/*/ "$root"/*/Contents/Home/; do
            dir=${dir%/}
            [[ -d "$dir" && ! -L "$dir" ]] || continue
            major=$(abiscope_jdk_major "$dir")
            if [[ -n "$major" && "$major" -ge $ABISCOPE_MIN_JAVA && "$major" -gt $best_major ]]; then
                best=$dir
                best_major=$major
            fi
        done
    done
    if [[ -n "$best" ]]; then
        printf '%s\n' "$best"
        return 0
    fi
    local java
    if java=$(command -v java 2>/dev/null); then
        java=$(readlink -f "$java" 2>/dev/null || printf '%s' "$java")
        dir=${java%/bin/java}
        major=$(abiscope_jdk_major "$dir")
        if [[ -n "$major" && "$major" -ge $ABISCOPE_MIN_JAVA ]]; then
            printf '%s\n' "$dir"
            return 0
        fi
    fi
    return 1
}
