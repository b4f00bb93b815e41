import { GoError } from "../errors.js";

/** A time.LoadLocation, time.Parse or time.ParseDuration failure; the message is Go's. */
export class GoTimeError extends GoError {}
