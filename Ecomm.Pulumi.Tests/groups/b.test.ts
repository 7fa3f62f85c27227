/** One process of `npm test`: its share of the program's spec files (see ./plan.ts). */
import { runGroup } from "./plan";

runGroup("b");
