/** Analysis stacks: {@code *.stack} files applied through ConfigAdmin, checked against each plugin's metatype. */
package emulator.stacks;
