import { describeArea } from './area-tests.ts';

describeArea('two-host');
