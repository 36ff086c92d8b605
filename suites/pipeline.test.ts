import { describeArea } from './area-tests.ts';

describeArea('pipeline');
