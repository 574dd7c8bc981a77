// Site-wide behaviour, loaded as an ES module (no inline script: the CSP forbids it).
import { startLiveStatus } from "./live-status.js";
import { addTimeZone } from "./timezone-links.js";

const status = document.getElementById("live-status");
if (status) startLiveStatus(status);
addTimeZone();
