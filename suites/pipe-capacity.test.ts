import { describeArea } from './area-tests.ts';

describeArea('pipe-capacity');
