/* SPDX-License-Identifier: MIT */
/* Linux x86-64 terminal and file ioctls, and the kernel's struct termios / winsize. */
#ifndef LXRUN_ABI_LINUX_IOCTL_H
#define LXRUN_ABI_LINUX_IOCTL_H

#include <stddef.h>
#include <stdint.h>

/* _IOC encoding: nr in bits 0..7, type 8..15, size 16..29, direction 30..31. */
#define LINUX_IOC_NONE	0u
#define LINUX_IOC_WRITE 1u
#define LINUX_IOC_READ	2u
#define LINUX_IOC(dir, type, nr, size)                                                             \
	(((dir) << 30) | ((uint32_t)(size) << 16) | ((uint32_t)(type) << 8) | (uint32_t)(nr))
#define LINUX_IOC_DIR(cmd)  (((cmd) >> 30) & 3u)
#define LINUX_IOC_TYPE(cmd) (((cmd) >> 8) & 0xffu)
#define LINUX_IOC_NR(cmd)   ((cmd)&0xffu)
#define LINUX_IOC_SIZE(cmd) (((cmd) >> 16) & 0x3fffu)

/* Terminal ioctls (asm-generic/ioctls.h; x86 uses the generic numbers). */
#define LINUX_TCGETS	  0x5401
#define LINUX_TCSETS	  0x5402
#define LINUX_TCSETSW	  0x5403
#define LINUX_TCSETSF	  0x5404
#define LINUX_TCGETA	  0x5405
#define LINUX_TCSETA	  0x5406
#define LINUX_TCSETAW	  0x5407
#define LINUX_TCSETAF	  0x5408
#define LINUX_TCSBRK	  0x5409
#define LINUX_TCXONC	  0x540A
#define LINUX_TCFLSH	  0x540B
#define LINUX_TIOCEXCL	  0x540C
#define LINUX_TIOCNXCL	  0x540D
#define LINUX_TIOCSCTTY	  0x540E
#define LINUX_TIOCGPGRP	  0x540F
#define LINUX_TIOCSPGRP	  0x5410
#define LINUX_TIOCOUTQ	  0x5411
#define LINUX_TIOCSTI	  0x5412
#define LINUX_TIOCGWINSZ  0x5413
#define LINUX_TIOCSWINSZ  0x5414
#define LINUX_TIOCMGET	  0x5415
#define LINUX_TIOCMBIS	  0x5416
#define LINUX_TIOCMBIC	  0x5417
#define LINUX_TIOCMSET	  0x5418
#define LINUX_FIONREAD	  0x541B
#define LINUX_TIOCINQ	  LINUX_FIONREAD
#define LINUX_TIOCLINUX	  0x541C
#define LINUX_TIOCCONS	  0x541D
#define LINUX_FIONBIO	  0x5421
#define LINUX_TIOCNOTTY	  0x5422
#define LINUX_TIOCSETD	  0x5423
#define LINUX_TIOCGETD	  0x5424
#define LINUX_TCSBRKP	  0x5425
#define LINUX_TIOCGSID	  0x5429
#define LINUX_TCGETS2	  LINUX_IOC(LINUX_IOC_READ, 'T', 0x2A, 44)
#define LINUX_TCSETS2	  LINUX_IOC(LINUX_IOC_WRITE, 'T', 0x2B, 44)
#define LINUX_TCSETSW2	  LINUX_IOC(LINUX_IOC_WRITE, 'T', 0x2C, 44)
#define LINUX_TCSETSF2	  LINUX_IOC(LINUX_IOC_WRITE, 'T', 0x2D, 44)
#define LINUX_TIOCGPTN	  LINUX_IOC(LINUX_IOC_READ, 'T', 0x30, 4)
#define LINUX_TIOCSPTLCK  LINUX_IOC(LINUX_IOC_WRITE, 'T', 0x31, 4)
#define LINUX_TIOCGDEV	  LINUX_IOC(LINUX_IOC_READ, 'T', 0x32, 4)
#define LINUX_TIOCGPKT	  LINUX_IOC(LINUX_IOC_READ, 'T', 0x38, 4)
#define LINUX_TIOCGPTLCK  LINUX_IOC(LINUX_IOC_READ, 'T', 0x39, 4)
#define LINUX_TIOCGPTPEER LINUX_IOC(LINUX_IOC_NONE, 'T', 0x41, 0)
#define LINUX_FIONCLEX	  0x5450
#define LINUX_FIOCLEX	  0x5451
#define LINUX_FIOASYNC	  0x5452
#define LINUX_FIOQSIZE	  0x5460

/* Socket ioctls that only read the host's network interfaces (linux/sockios.h); their argument
 * is a struct ifreq (40 bytes) or, for SIOCGIFCONF, a struct ifconf pointing at ifreqs. */
#define LINUX_SIOCGIFNAME      0x8910
#define LINUX_SIOCGIFCONF      0x8912
#define LINUX_SIOCGIFFLAGS     0x8913
#define LINUX_SIOCGIFADDR      0x8915
#define LINUX_SIOCGIFDSTADDR   0x8917
#define LINUX_SIOCGIFBRDADDR   0x8919
#define LINUX_SIOCGIFNETMASK   0x891b
#define LINUX_SIOCGIFMETRIC    0x891d
#define LINUX_SIOCGIFMTU       0x8921
#define LINUX_SIOCGIFHWADDR    0x8927
#define LINUX_SIOCGIFINDEX     0x8933
#define LINUX_SIOCGIFTXQLEN    0x8942

/*
 * The kernel's struct termios as TCGETS/TCSETS copy it: 36 bytes, 19 control characters and no
 * speed fields.  glibc's struct termios (60 bytes, NCCS 32) is a different, libc-side layout.
 */
#define LINUX_NCCS 19

struct linux_termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[LINUX_NCCS];
};
_Static_assert(sizeof(struct linux_termios) == 36, "kernel struct termios is 36 bytes");
_Static_assert(offsetof(struct linux_termios, c_line) == 16, "termios.c_line");
_Static_assert(offsetof(struct linux_termios, c_cc) == 17, "termios.c_cc");

/* TCGETS2/TCSETS2: termios plus arbitrary baud rates. */
struct linux_termios2 {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[LINUX_NCCS];
	uint32_t c_ispeed;
	uint32_t c_ospeed;
};
_Static_assert(sizeof(struct linux_termios2) == 44, "struct termios2 is 44 bytes");
_Static_assert(offsetof(struct linux_termios2, c_ispeed) == 36, "termios2.c_ispeed");

struct linux_winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};
_Static_assert(sizeof(struct linux_winsize) == 8, "struct winsize is 8 bytes");

/* c_cc indices */
#define LINUX_VINTR    0
#define LINUX_VQUIT    1
#define LINUX_VERASE   2
#define LINUX_VKILL    3
#define LINUX_VEOF     4
#define LINUX_VTIME    5
#define LINUX_VMIN     6
#define LINUX_VSWTC    7
#define LINUX_VSTART   8
#define LINUX_VSTOP    9
#define LINUX_VSUSP    10
#define LINUX_VEOL     11
#define LINUX_VREPRINT 12
#define LINUX_VDISCARD 13
#define LINUX_VWERASE  14
#define LINUX_VLNEXT   15
#define LINUX_VEOL2    16

/* c_iflag */
#define LINUX_IGNBRK  0000001
#define LINUX_BRKINT  0000002
#define LINUX_IGNPAR  0000004
#define LINUX_PARMRK  0000010
#define LINUX_INPCK   0000020
#define LINUX_ISTRIP  0000040
#define LINUX_INLCR   0000100
#define LINUX_IGNCR   0000200
#define LINUX_ICRNL   0000400
#define LINUX_IUCLC   0001000
#define LINUX_IXON    0002000
#define LINUX_IXANY   0004000
#define LINUX_IXOFF   0010000
#define LINUX_IMAXBEL 0020000
#define LINUX_IUTF8   0040000

/* c_oflag */
#define LINUX_OPOST  0000001
#define LINUX_OLCUC  0000002
#define LINUX_ONLCR  0000004
#define LINUX_OCRNL  0000010
#define LINUX_ONOCR  0000020
#define LINUX_ONLRET 0000040
#define LINUX_OFILL  0000100
#define LINUX_OFDEL  0000200

/* c_cflag */
#define LINUX_CBAUD   0010017
#define LINUX_B0      0000000
#define LINUX_B9600   0000015
#define LINUX_B19200  0000016
#define LINUX_B38400  0000017
#define LINUX_CSIZE   0000060
#define LINUX_CS5     0000000
#define LINUX_CS6     0000020
#define LINUX_CS7     0000040
#define LINUX_CS8     0000060
#define LINUX_CSTOPB  0000100
#define LINUX_CREAD   0000200
#define LINUX_PARENB  0000400
#define LINUX_PARODD  0001000
#define LINUX_HUPCL   0002000
#define LINUX_CLOCAL  0004000
#define LINUX_CBAUDEX 0010000
#define LINUX_BOTHER  0010000
#define LINUX_B57600  0010001
#define LINUX_B115200 0010002
#define LINUX_CRTSCTS 020000000000u

/* c_lflag */
#define LINUX_ISIG    0000001
#define LINUX_ICANON  0000002
#define LINUX_XCASE   0000004
#define LINUX_ECHO    0000010
#define LINUX_ECHOE   0000020
#define LINUX_ECHOK   0000040
#define LINUX_ECHONL  0000100
#define LINUX_NOFLSH  0000200
#define LINUX_TOSTOP  0000400
#define LINUX_ECHOCTL 0001000
#define LINUX_ECHOPRT 0002000
#define LINUX_ECHOKE  0004000
#define LINUX_FLUSHO  0010000
#define LINUX_PENDIN  0040000
#define LINUX_IEXTEN  0100000
#define LINUX_EXTPROC 0200000

/* TCFLSH / TCXONC arguments */
#define LINUX_TCIFLUSH	0
#define LINUX_TCOFLUSH	1
#define LINUX_TCIOFLUSH 2
#define LINUX_TCOOFF	0
#define LINUX_TCOON	1
#define LINUX_TCIOFF	2
#define LINUX_TCION	3

#endif
