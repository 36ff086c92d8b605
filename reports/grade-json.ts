// The grade as JSON, for tooling: the spec/grade.ts Grade as is, byte payloads in traces encoded by
// spec/codec.ts ({"$base64": ...}; fromJson reads them back).
import { toJson } from '../spec/codec.ts';
import type { Grade } from '../spec/grade.ts';

export const gradeJson = (g: Grade): string => `${toJson(g)}\n`;
