"""How a caller proves who they are: request authentication (`principal`) and the cookies of
SonarQube's login filters (`oauth`)."""
