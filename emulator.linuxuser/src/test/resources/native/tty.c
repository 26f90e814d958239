/* What a program learns about its terminal: isatty, the window size (TIOCGWINSZ) and settings (TCGETS). */
#include <stdio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
int main(void){ struct winsize w={0}; struct termios t = {0}; int a=isatty(0), b=isatty(1);
 int r=ioctl(1,TIOCGWINSZ,&w); int r2=tcgetattr(0,&t);
 printf("isatty %d %d winsz %d %dx%d tcgetattr %d lflag=%x iflag=%x cc_intr=%d\n",a,b,r,w.ws_row,w.ws_col,r2,t.c_lflag,t.c_iflag,t.c_cc[VINTR]); return 0;}
