; train.asm — the guest of the startup-cache training run (see ../../abiscope, "startup cache").
; A complete static x86-64 Linux program in one flat file, ELF header included:
;   nasm -f bin -o train.elf train.asm
; It loops long enough for its blocks to be compiled and to form a region, then makes the
; system calls the tracing plugins decode most (getpid first: the plugins learn pids from results,
; then openat, getdents64, close, write) and exits 0.
; The committed train.elf is this file assembled (LauncherE2E checks that they agree).
BITS 64
        org     0x400000
ehdr:   db      0x7f, "ELF", 2, 1, 1, 0         ; 64-bit, little-endian, version 1, System V
        times 8 db 0
        dw      2                               ; ET_EXEC
        dw      0x3e                            ; EM_X86_64
        dd      1
        dq      _start
        dq      phdr - ehdr
        dq      0                               ; no section headers
        dd      0
        dw      ehdrsize, phdrsize, 1, 0, 0, 0
ehdrsize equ $ - ehdr
phdr:   dd      1                               ; PT_LOAD
        dd      7                               ; read, write, execute (the data page after the code is writable)
        dq      0
        dq      $$, $$
        dq      filesize, 0x2000                ; the code page, then a zeroed data page
        dq      0x1000
phdrsize equ $ - phdr

_start: mov     eax, 39                         ; getpid()
        syscall
        mov     ecx, 300000
        lea     rsi, [rel counter]              ; on the data page: a store to the code's page would drop its translation
.loop:  mov     eax, [rsi]
        add     eax, ecx
        imul    eax, eax, 3
        mov     [rsi], eax
        dec     ecx
        jnz     .loop
        mov     eax, 257                        ; openat(AT_FDCWD, "/", O_RDONLY|O_DIRECTORY)
        mov     edi, -100
        lea     rsi, [rel root]
        mov     edx, 0x10000
        syscall
        mov     ebx, eax
        mov     edi, eax                        ; getdents64(fd, buffer, 1024)
        mov     eax, 217
        lea     rsi, [rel buffer]
        mov     edx, 1024
        syscall
        mov     eax, 3                          ; close(fd)
        mov     edi, ebx
        syscall
        mov     eax, 1                          ; write(1, message, length)
        mov     edi, 1
        lea     rsi, [rel message]
        mov     edx, msglen
        syscall
        mov     eax, 231                        ; exit_group(0)
        xor     edi, edi
        syscall

root:    db     "/", 0
message: db     "abiscope startup cache training", 10
msglen  equ $ - message
filesize equ $ - $$
counter equ     $$ + 0x1000
buffer  equ     $$ + 0x1040
