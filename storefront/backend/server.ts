/** The backend's entry point: the file the artifact bundles (`backend/server.js`) and systemd runs. */
import { runMain } from "./main";

void runMain();
