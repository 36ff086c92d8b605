import { describeArea } from './area-tests.ts';

describeArea('pipe-sharing');
