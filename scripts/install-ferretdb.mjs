// placeholder until the installer lands
