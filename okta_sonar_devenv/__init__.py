"""Both simulators together: what drives them as a whole from outside (the guide's demo)."""
