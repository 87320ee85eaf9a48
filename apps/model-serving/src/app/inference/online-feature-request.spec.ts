import { baselineArtifact } from '../../testing/model-fixtures';
import { onlineColumnName, onlineFeatureSelection } from './online-feature-request';

describe('which online features a model asks the feature store for', () => {
  const artifact = baselineArtifact('propensity', 3);

  it('asks for exactly the view versions the model was trained on, keeping its inputs named view:feature', () => {
    const pinned = { ...artifact, featureViewVersions: { user_activity: 2, user_profile: 1 } };
    expect(onlineFeatureSelection(pinned)).toEqual({ features: ['user_activity@v2:orders_7d', 'user_activity@v2:revenue_7d', 'user_profile@v1:plan'] });
    expect(onlineColumnName(pinned, 'user_activity:orders_7d')).toBe('user_activity__v2__orders_7d');
    // A view the record does not name (not expected from the trainer) is asked for as it is now.
    expect(onlineFeatureSelection({ ...artifact, featureViewVersions: { user_profile: 1 } })).toEqual({ features: ['user_activity:orders_7d', 'user_activity:revenue_7d', 'user_profile@v1:plan'] });
  });

  it('keeps asking for the feature service (else the features) of an artifact from before view versions were recorded', () => {
    expect(onlineFeatureSelection({ ...artifact, featureService: 'purchase_propensity' })).toEqual({ feature_service: 'purchase_propensity' });
    expect(onlineFeatureSelection({ ...artifact, featureService: undefined })).toEqual({ features: artifact.features });
    expect(onlineColumnName(artifact, 'user_activity:orders_7d')).toBe('user_activity__orders_7d');
  });
});
