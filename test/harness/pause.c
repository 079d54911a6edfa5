/* The pod sandbox ("pause") process of the test cluster: holds the pod's namespaces, sleeps until
 * SIGTERM or SIGINT, and reaps any child that ends up with it. Built static into a scratch image. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void quit(int sig) {
  (void)sig;
  _exit(0);
}

static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, 0, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction stop = {.sa_handler = quit};
  struct sigaction child = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP};
  if (sigaction(SIGTERM, &stop, 0) || sigaction(SIGINT, &stop, 0) || sigaction(SIGCHLD, &child, 0))
    return 1;
  for (;;) pause();
}
