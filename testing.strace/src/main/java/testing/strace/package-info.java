/** Test support: strace of native runs and syscall-event builders, shared by the plugins' tests. */
package testing.strace;
